#!/usr/bin/env node
// Part of `npm run build`, after tsc: compiles the JSON Schemas of schemas/ ahead of time into
// dist/engine/validators.cjs (ajv standalone code, see src/engine/precompile-schemas.ts), so
// that no patchctl command spends its start compiling them. dist/engine/schemas.js uses the
// module only while every schema file is the one it was made from, and compiles them itself
// otherwise (as it does when running from src/, where there is no such module).
import { writeFileSync } from 'node:fs';
import { validatorsModule } from '../dist/engine/precompile-schemas.js';
import { readSchemaTexts } from '../dist/engine/schemas.js';

writeFileSync(new URL('../dist/engine/validators.cjs', import.meta.url), validatorsModule(readSchemaTexts()));
