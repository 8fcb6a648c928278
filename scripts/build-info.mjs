#!/usr/bin/env node
// `npm run build`, last step: records the commit dist/ is built from in dist/build-info.json,
// so that `patchctl version` knows it where there is no .git (an installed tarball, a global
// install). The commit is the package folder's own git checkout (`-dirty` when tracked files
// differ from it), `unknown` when the folder is not the top of a git work tree: never the
// commit of some enclosing project (src/engine/build-info.ts).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { BUILD_INFO_FILE, buildInfoFor } = await import(
  pathToFileURL(path.join(root, 'dist', 'engine', 'build-info.js')).href
);
const { writeFileAtomic } = await import(
  pathToFileURL(path.join(root, 'dist', 'platform', 'atomic-write.js')).href
);

const info = buildInfoFor(root);
writeFileAtomic(path.join(root, 'dist', BUILD_INFO_FILE), `${JSON.stringify(info, null, 2)}\n`);
console.log(`build-info: dist/${BUILD_INFO_FILE} says commit ${info.commit}`);
