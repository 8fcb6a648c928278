import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { captureIo } from '../../test-support/capture-io.js';
import { main } from '../main.js';

const root = path.resolve(import.meta.dirname, '../../..');
let scratch: string;
const scripts: Record<string, string> = {};
beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'patchctl-completion-'));
  for (const shell of ['bash', 'zsh', 'fish']) {
    const io = captureIo();
    expect(await main(['completion', shell], io)).toBe(0);
    expect(io.text().stderr).toBe('');
    scripts[shell] = path.join(scratch, `patchctl.${shell}`);
    writeFileSync(scripts[shell], io.text().stdout);
  }
  // The scripts ask `patchctl completion names …` for names: a stand-in that answers as
  // patchctl would (the real command is tested below), and says how it was called.
  const stub = path.join(scratch, 'bin', 'patchctl');
  mkdirSync(path.dirname(stub));
  writeFileSync(
    stub,
    `#!/bin/sh
echo "$@" >> "${scratch}/calls"
case "$3" in
  hosts) printf 'fra-web-01\\nfra-web-02\\nnyc-db-01\\n' ;;
  groups) printf 'canary\\nservers\\n' ;;
  rings) printf 'canary\\nrest\\n' ;;
esac
`,
  );
  chmodSync(stub, 0o755);
  cpSync(path.join(root, 'examples', 'starter'), path.join(scratch, 'repo'), { recursive: true });
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** What bash completes for the words of `line` (the cursor at its end), as readline would. */
function bashComplete(line: string): string[] {
  const words = line.split(' ');
  const script = `
source ${JSON.stringify(scripts.bash)}
complete -p patchctl >/dev/null || exit 9
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})
COMP_CWORD=${words.length - 1}
COMP_LINE='${line}'
COMP_POINT=${line.length}
fn=$(complete -p patchctl | sed -E 's/.*-F ([^ ]+).*/\\1/')
$fn patchctl '${words[words.length - 1]}' '${words[words.length - 2] ?? ''}'
printf '%s\\n' "\${COMPREPLY[@]}"
`;
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script], {
    cwd: path.join(scratch, 'repo'),
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: scratch },
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout.split('\n').filter((l) => l !== '');
}

describe('patchctl completion bash', () => {
  it('registers a completion function for patchctl', () => {
    const r = spawnSync('bash', ['--norc', '-c', `source ${scripts.bash}; complete -p patchctl`], {
      encoding: 'utf8',
    });
    expect(r.stdout).toMatch(/^complete -F \S+ patchctl$/m);
  });

  it('completes commands from the command tree', () => {
    expect(bashComplete('patchctl ')).toEqual(
      expect.arrayContaining(['init', 'validate', 'plan', 'apply', 'import', 'version', 'completion']),
    );
    expect(bashComplete('patchctl pl')).toEqual(['plan']);
    expect(bashComplete('patchctl ve')).toEqual(['version']);
    // The hidden helper is not offered.
    expect(bashComplete('patchctl completion ')).toEqual(['bash', 'zsh', 'fish']);
  });

  it('completes subcommands, options and their values', () => {
    expect(bashComplete('patchctl import ')).toEqual(expect.arrayContaining(['findings']));
    expect(bashComplete('patchctl plan --for')).toEqual(['--format']);
    expect(bashComplete('patchctl plan --format ')).toEqual(expect.arrayContaining(['text', 'json']));
    expect(bashComplete('patchctl plan -C inventory --format j')).toEqual(['json']);
    expect(bashComplete('patchctl validate -C inv')).toEqual(['inventory']);
    expect(bashComplete('patchctl import findings --ho')).toEqual(['--host']);
  });

  it('completes host, group and ring names from the repository, -C passed on', () => {
    const stubbed = (line: string) =>
      bashComplete(line.replace(/^patchctl/, path.join(scratch, 'bin', 'patchctl')));
    expect(stubbed('patchctl plan --ring ')).toEqual(['canary', 'rest']);
    expect(stubbed('patchctl scan --hosts fra-')).toEqual(['fra-web-01', 'fra-web-02']);
    expect(stubbed('patchctl apply --hosts servers,!fra-web-01,ny')).toEqual([
      'servers,!fra-web-01,nyc-db-01',
    ]);
    expect(stubbed('patchctl plan -C elsewhere --hosts ca')).toEqual(['canary']);
    const calls = spawnSync('cat', [path.join(scratch, 'calls')], { encoding: 'utf8' }).stdout;
    expect(calls).toContain('completion names groups -C elsewhere');
  });
});

/** zsh and fish are checked where installed (.ci/run installs them). */
const has = (shell: string) => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;

(has('zsh') ? describe : describe.skip)('patchctl completion zsh', () => {
  it('is valid zsh', () => {
    const r = spawnSync('zsh', ['-n', scripts.zsh ?? ''], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('registers itself with compdef and knows the command tree', () => {
    const r = spawnSync(
      'zsh',
      [
        '-f',
        '-c',
        `compdef() { print -r -- "compdef $*" }
source ${scripts.zsh}
_patchctl_subcommands import
_patchctl_value plan --format
_patchctl_value scan --hosts`,
      ],
      { encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^compdef _patchctl patchctl$/m);
    expect(r.stdout).toMatch(/^findings:read vulnerability scanners/m);
    expect(r.stdout).toMatch(/^choices text json/m);
    expect(r.stdout).toMatch(/^targets$/m);
  });
});

(has('fish') ? describe : describe.skip)('patchctl completion fish', () => {
  const fishComplete = (line: string, cmd = 'patchctl') => {
    const r = spawnSync(
      'fish',
      [
        '--no-config',
        '-c',
        `source ${scripts.fish}; complete -C ${JSON.stringify(line.replace(/^patchctl/, cmd))}`,
      ],
      { cwd: path.join(scratch, 'repo'), encoding: 'utf8', env: { PATH: process.env.PATH, HOME: scratch } },
    );
    expect(r.stderr).toBe('');
    return r.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split('\t')[0]);
  };

  it('is valid fish', () => {
    const r = spawnSync('fish', ['--no-execute', scripts.fish ?? ''], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('completes commands, subcommands, options, values and names', () => {
    expect(fishComplete('patchctl pl')).toEqual(['plan']);
    expect(fishComplete('patchctl import ')).toEqual(expect.arrayContaining(['findings']));
    expect(fishComplete('patchctl completion ').sort()).toEqual(['bash', 'fish', 'zsh']);
    expect(fishComplete('patchctl plan --form')).toEqual(['--format']);
    expect(fishComplete('patchctl plan --format j')).toEqual(['json']);
    const stub = path.join(scratch, 'bin', 'patchctl');
    expect(fishComplete('patchctl plan --ring ', stub)).toEqual(['canary', 'rest']);
    expect(fishComplete('patchctl plan --hosts canary,fra-', stub)).toEqual([
      'canary,fra-web-01',
      'canary,fra-web-02',
    ]);
  });
});

describe('patchctl completion names', () => {
  it('lists the hosts, groups and rings of the repository found from the working directory', async () => {
    const cwd = path.join(root, 'examples', 'starter', 'inventory');
    const hosts = captureIo({ cwd });
    expect(await main(['completion', 'names', 'hosts'], hosts)).toBe(0);
    expect(hosts.text().stdout.split('\n')).toEqual(expect.arrayContaining(['fra-web-01', 'nyc-db-01']));
    expect(hosts.text().stderr).toBe('');
    const groups = captureIo({ cwd });
    expect(await main(['completion', 'names', 'groups', '-C', '..'], groups)).toBe(0);
    expect(groups.text().stdout.split('\n')).toEqual(expect.arrayContaining(['canary', 'servers']));
    const rings = captureIo({ cwd });
    expect(await main(['completion', 'names', 'rings'], rings)).toBe(0);
    expect(rings.text().stdout).toContain('canary\n');
  });

  it('prints nothing, and fails not, outside a repository or for an unknown kind', async () => {
    const io = captureIo({ cwd: scratch });
    expect(await main(['completion', 'names', 'hosts'], io)).toBe(0);
    expect(io.text()).toEqual({ stdout: '', stderr: '' });
    const odd = captureIo({ cwd: path.join(root, 'examples', 'starter') });
    expect(await main(['completion', 'names', 'packages'], odd)).toBe(0);
    expect(odd.text()).toEqual({ stdout: '', stderr: '' });
  });

  it('is not listed in the help', async () => {
    const io = captureIo();
    await main(['completion', '--help'], io);
    expect(io.text().stdout).toContain('bash');
    expect(io.text().stdout).not.toMatch(/^ +names\b/m);
  });
});
