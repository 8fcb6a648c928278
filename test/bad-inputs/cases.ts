// The catalogue of broken repositories: each case edits a copy of base/ and says which
// diagnostics `patchctl validate` must report, and where. Positions are given by a marker (a
// substring of the edited file that occurs once; the diagnostic points at its first character,
// or at `focus` inside it), so cases survive edits to base/. catalogue.test.ts runs them.
import { readFileSync } from 'node:fs';

/** Replace the only occurrence of `find` in `file`; write a whole file; delete one; or more. */
export type Edit =
  | { file: string; find: string; replace: string }
  | { file: string; content: string | Uint8Array }
  | { file: string; remove: true }
  | { file: string; symlink: string }
  | { file: string; mkdir: true }
  /** A named pipe (mkfifo): reading it would block for ever. */
  | { file: string; fifo: true };

export interface Expectation {
  code: string;
  /** Path relative to the repository. */
  file: string;
  /** A substring that occurs exactly once in the edited file; the diagnostic points at its start... */
  marker?: string;
  /** ...or at the first occurrence of `focus` inside `marker`. */
  focus?: string;
  /** Explicit position, only where there is no good marker (1:1, a file that is not UTF-8). */
  line?: number;
  col?: number;
  /** Default 'error'; warnings are asserted with `strict: true` (which makes them fail validate). */
  severity?: 'error' | 'warning';
}

export interface BadInputCase {
  /** Unique slug. */
  name: string;
  description: string;
  edits: Edit[];
  /** `--at` (default 2026-12-01T00:00:00Z). */
  at?: string;
  /** Run with --strict (for the diagnostics that are warnings). */
  strict?: boolean;
  /** Directory given to -C, relative to the repository (default: the repository itself). */
  root?: string;
  expect: Expectation[];
  /**
   * The validator does not do this yet (see the reason); the test runs with `it.failing`, so it
   * passes while the bug is there and fails, asking for this flag to go, once it is fixed.
   */
  knownBug?: string;
}

// ------------------------------------------------------------------------------------------ helpers

const CONFIG = 'patchctl.yaml';
const FRA = 'inventory/fra.yaml';
const NYC = 'inventory/nyc.yaml';
const SITES = 'groups/sites.yaml';
const ROLES = 'groups/roles.yaml';
const ROLLOUT = 'rollouts/standard.yaml';
const FRA_WINDOW = 'windows/fra.yaml';
const NYC_WINDOW = 'windows/nyc.yaml';
const FREEZE = 'windows/freeze.yaml';
const SECURITY = 'policies/security.yaml';
const BASELINE = 'policies/baseline.yaml';
const EXCEPTION = 'exceptions/fra-db-01-postgresql.yaml';
const KEV = 'advisories/kev.json';

const sub = (file: string, find: string, replace: string): Edit => ({ file, find, replace });
const put = (file: string, content: string | Uint8Array): Edit => ({ file, content });
const del = (file: string): Edit => ({ file, remove: true });

const err = (code: string, file: string, marker: string, focus?: string): Expectation => ({
  code,
  file,
  marker,
  ...(focus === undefined ? {} : { focus }),
});
const warn = (code: string, file: string, marker: string, focus?: string): Expectation => ({
  ...err(code, file, marker, focus),
  severity: 'warning',
});
const at = (code: string, file: string, line: number, col: number): Expectation => ({
  code,
  file,
  line,
  col,
});

/** A copy of a real third-party file kept in real/ (see SOURCES.md), byte for byte. */
/** A findings file as `patchctl import findings` writes it, for host HOST. */
const FINDINGS = `${JSON.stringify(
  {
    formatVersion: 1,
    kind: 'patchctl-findings',
    host: 'HOST',
    scanner: { format: 'trivy', name: 'trivy', version: '0.50.1' },
    importedFrom: { file: 'report.json', sha256: 'a'.repeat(64) },
    scannedAt: '2026-11-30T06:00:00Z',
    findings: [
      {
        id: 'CVE-2024-6387',
        aliases: [],
        package: 'openssh-server',
        sourcePackage: 'openssh',
        installedVersion: '1:9.2p1-2+deb12u2',
        fixedVersion: '1:9.2p1-2+deb12u3',
        severity: 'high',
      },
    ],
  },
  null,
  2,
)}\n`;
const EPSS = 'advisories/epss.csv';
const EPSS_CSV =
  '#model_version:v2026.06.15,score_date:2026-09-29T12:00:22Z\ncve,epss,percentile\nCVE-2021-33739,0.93,0.99\n';
const SYNC = 'advisories/sync.json';
/** sha256 of base/advisories/kev.json. */
const KEV_SHA256 = '5ec0999d66b050b78d6312a9606d1c1913fa84e40a5e4b2472b1bb87d417c631';
const syncManifest = (name: string, file: string, sha256: string): string =>
  `${JSON.stringify(
    {
      formatVersion: 1,
      kind: 'patchctl-advisories-sync',
      feeds: [
        {
          name,
          kind: name === 'kev' ? 'kev' : 'epss',
          url: `https://feeds.example.net/${file}`,
          path: file,
          sha256,
          bytes: 9000,
          fetchedAt: '2026-11-30T06:00:00Z',
          records: 3,
        },
      ],
    },
    null,
    2,
  )}\n`;
const real = (name: string): Uint8Array => readFileSync(new URL(`./real/${name}`, import.meta.url));

/** A whole document, for cases that add one. */
const doc = (kind: string, name: string, spec: string): string =>
  `apiVersion: patchctl/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n${spec}`;

/** A MaintenanceWindow for the fra group that overlaps fra-patch-friday (Fridays 23:00 Berlin). */
const OVERLAPPING_WINDOW = doc(
  'MaintenanceWindow',
  'fra-weekly',
  '  timezone: Europe/Berlin\n  cron: 0 23 * * 5\n  duration: 2h\n  groups: [fra]\n',
);

/** Nine levels of aliases, each four times the one before: 4^9 copies if expanded. */
const ALIAS_BOMB =
  doc('Group', 'lol', '  hosts: [fra-web-01]\n') +
  'x:\n' +
  '  l0: &l0 [lol, lol]\n' +
  Array.from({ length: 9 }, (_, i) => `  l${i + 1}: &l${i + 1} [*l${i}, *l${i}, *l${i}, *l${i}]\n`).join('');

// ------------------------------------------------------------------------------------------ cases

const yamlCases: BadInputCase[] = [
  {
    name: 'yaml-unclosed-flow-sequence',
    description: 'a flow sequence without its closing bracket; the parser notices on the next line',
    edits: [sub(ROLES, '  groups: [web, db]', '  groups: [web, db')],
    expect: [err('yaml-syntax', ROLES, 'hosts: [fra-app-01]')],
  },
  {
    name: 'yaml-extra-closing-bracket',
    description: 'a stray "]" after a flow sequence',
    edits: [sub(ROLES, '  groups: [web, db]', '  groups: [web, db]]')],
    expect: [err('yaml-syntax', ROLES, ']]\n', ']\n')],
  },
  {
    name: 'yaml-unclosed-double-quote',
    description: 'a double-quoted reason that never ends; the error should point where the quote opens',
    edits: [sub(FREEZE, '  reason: Year-end change freeze.', '  reason: "Year-end change freeze.')],
    expect: [err('yaml-syntax', FREEZE, '"Year-end')],
  },
  {
    name: 'yaml-mapping-misaligned',
    description: 'a key indented one space less than its siblings',
    edits: [sub(FRA_WINDOW, '  duration: 6h', ' duration: 6h')],
    expect: [err('yaml-syntax', FRA_WINDOW, ' duration: 6h')],
  },
  {
    name: 'yaml-sequence-item-misaligned',
    description: 'the second key of a host indented one space less than the first',
    edits: [sub(FRA, '    - name: fra-web-02\n      address', '    - name: fra-web-02\n     address')],
    expect: [err('yaml-syntax', FRA, '     address: 192.0.2.12')],
  },
  {
    name: 'yaml-tab-indentation-mapping',
    description: 'a tab used to indent a label (editors that insert tabs)',
    edits: [sub(FRA, '        role: app', '\trole: app')],
    expect: [err('yaml-syntax', FRA, '\trole: app')],
  },
  {
    name: 'yaml-tab-indentation-key',
    description: 'a tab used to indent a host key',
    edits: [sub(FRA, '      user: deploy\n', '\tuser: deploy\n')],
    expect: [err('yaml-syntax', FRA, '\tuser: deploy')],
  },
  {
    name: 'yaml-duplicate-key-top-level',
    description: 'kind given twice in one document',
    edits: [sub(NYC_WINDOW, 'kind: MaintenanceWindow\n', 'kind: MaintenanceWindow\nkind: Blackout\n')],
    expect: [err('yaml-duplicate-key', NYC_WINDOW, 'kind: Blackout')],
  },
  {
    name: 'yaml-duplicate-key-nested',
    description: 'a host label given twice',
    edits: [sub(FRA, '        owner: team-dba', '        owner: team-dba\n        role: cache')],
    expect: [err('yaml-duplicate-key', FRA, 'role: cache')],
  },
  {
    name: 'yaml-duplicate-key-flow-mapping',
    description: 'a key given twice in a flow mapping',
    edits: [sub(FRA, '      labels:\n        role: app', '      labels: {role: app, role: web}')],
    expect: [err('yaml-duplicate-key', FRA, 'role: web}')],
  },
  {
    name: 'yaml-duplicate-key-quoted',
    description: 'the same key once plain and once quoted',
    edits: [sub(FRA_WINDOW, '  cutoff: 1h', '  cutoff: 1h\n  "cutoff": 2h')],
    expect: [err('yaml-duplicate-key', FRA_WINDOW, '"cutoff"')],
  },
  {
    name: 'yaml-duplicate-key-groups',
    description: 'two `groups:` lines in one Group, the second silently winning in lax parsers',
    edits: [sub(ROLES, '  hosts: [fra-app-01]\n', '  hosts: [fra-app-01]\n  groups: [web]\n')],
    expect: [err('yaml-duplicate-key', ROLES, 'groups: [web]\n')],
  },
  {
    name: 'yaml-duplicate-block-key',
    description: 'spec: written twice, the first with its value on the following lines',
    edits: [sub(NYC_WINDOW, 'spec:\n', 'spec:\nspec:\n')],
    expect: [err('yaml-duplicate-key', NYC_WINDOW, 'spec:\n  timezone')],
  },
  {
    name: 'yaml-custom-tag-local',
    description: 'an application tag (!foo)',
    edits: [sub(ROLES, '  hosts: [fra-app-01]', '  hosts: !foo [fra-app-01]')],
    expect: [err('yaml-custom-tag', ROLES, '!foo [fra-app-01]')],
  },
  {
    name: 'yaml-custom-tag-binary',
    description: 'a YAML 1.1 !!binary value',
    edits: [sub(ROLES, '  hosts: [fra-app-01]', '  hosts: !!binary ZnJhLWFwcC0wMQ==')],
    expect: [err('yaml-custom-tag', ROLES, '!!binary')],
  },
  {
    name: 'yaml-custom-tag-python-object',
    description: 'a PyYAML object constructor (remote code execution in unsafe loaders)',
    edits: [sub(ROLES, '  hosts: [fra-app-01]', '  hosts: !!python/object/apply:os.system ["reboot"]')],
    expect: [err('yaml-custom-tag', ROLES, '!!python/object')],
  },
  {
    name: 'yaml-custom-tag-set',
    description: 'a YAML 1.1 !!set',
    edits: [sub(ROLES, '  hosts: [fra-app-01]', '  hosts: !!set {fra-app-01}')],
    expect: [err('yaml-custom-tag', ROLES, '!!set')],
  },
  {
    name: 'yaml-custom-tag-verbatim',
    description: 'a verbatim tag (js-yaml function constructor)',
    edits: [
      sub(ROLES, '  hosts: [fra-app-01]', '  hosts: !<tag:yaml.org,2002:js/function> "function () {}"'),
    ],
    expect: [err('yaml-custom-tag', ROLES, '!<tag:')],
  },
  {
    name: 'yaml-custom-tag-timestamp',
    description: 'a YAML 1.1 !!timestamp on an exception date',
    edits: [sub(EXCEPTION, '  created: 2026-11-20', '  created: !!timestamp 2026-11-20')],
    expect: [err('yaml-custom-tag', EXCEPTION, '!!timestamp')],
  },
  {
    name: 'yaml-custom-tag-on-mapping',
    description: 'a CloudFormation-style tag on a mapping',
    edits: [sub(SITES, '    matchLabels:\n      site: fra', '    matchLabels: !Ref\n      site: fra')],
    expect: [err('yaml-custom-tag', SITES, '!Ref')],
  },
  {
    name: 'yaml-alias-bomb',
    description: 'a "billion laughs" document: nine levels of aliases',
    edits: [put('groups/lol.yaml', ALIAS_BOMB)],
    expect: [err('yaml-alias-limit', 'groups/lol.yaml', '[*l0,', '*l0')],
  },
  {
    name: 'yaml-alias-with-tag',
    description: 'an alias that also carries a tag',
    edits: [
      sub(ROLES, '  groups: [web, db]', '  groups: &g [web, db]'),
      sub(ROLES, '  excludeGroups: [db]', '  excludeGroups: !!seq *g'),
    ],
    expect: [err('yaml-bad-alias', ROLES, '*g')],
  },
  {
    name: 'yaml-alias-undefined',
    description: 'an alias to an anchor that does not exist',
    edits: [sub(ROLES, '  hosts: [fra-app-01]', '  hosts: *nope')],
    expect: [err('yaml-bad-alias', ROLES, '*nope')],
  },
  {
    name: 'yaml-alias-before-anchor',
    description: 'an alias used one line before the anchor it names',
    edits: [
      sub(ROLES, '  groups: [web, db]', '  groups: *both'),
      sub(ROLES, '  excludeGroups: [db]', '  excludeGroups: &both [db]'),
    ],
    expect: [err('yaml-bad-alias', ROLES, '*both')],
  },
  {
    name: 'yaml-alias-inside-its-anchor',
    description: 'an alias inside the sequence its anchor names (an endless value)',
    edits: [sub(ROLES, '  hosts: [fra-app-01]', '  hosts: &h [fra-app-01, *h]')],
    expect: [err('yaml-bad-alias', ROLES, '*h]')],
  },
  {
    name: 'yaml-tag-int-on-text',
    description: '!!int on a value that is not an integer (yaml would keep it as a string)',
    edits: [sub(FRA, '      port: 2222', '      port: !!int 2222x')],
    expect: [err('yaml-tag-mismatch', FRA, '!!int')],
  },
  {
    name: 'yaml-tag-bool-on-yes',
    description: '!!bool yes: a YAML 1.1 boolean, which the core schema cannot read',
    edits: [sub(CONFIG, '    useAgent: true', '    useAgent: !!bool yes')],
    expect: [err('yaml-tag-mismatch', CONFIG, '!!bool')],
  },
  {
    name: 'yaml-tag-seq-on-mapping',
    description: '!!seq written on a mapping',
    edits: [sub(SITES, '    matchLabels:\n      site: fra', '    matchLabels: !!seq\n      site: fra')],
    expect: [err('yaml-tag-mismatch', SITES, '!!seq')],
  },
  {
    name: 'yaml-merge-key',
    description: 'a YAML 1.1 merge key (<<) is an ordinary key in the core schema: an unknown field',
    edits: [
      sub(FRA, '      labels:\n        role: app', '      labels: &app\n        role: app'),
      sub(FRA, '    - name: fra-stage-01\n', '    - name: fra-stage-01\n      <<: *app\n'),
    ],
    expect: [err('unknown-field', FRA, '<<: *app')],
  },
  {
    name: 'encoding-latin1',
    description: 'an inventory saved as ISO-8859-1 (é in a description)',
    edits: [
      put(
        FRA,
        Buffer.from(
          readFileSync(new URL('./base/inventory/fra.yaml', import.meta.url), 'utf8').replace(
            'Frankfurt data centre.',
            'Frankfurt data centre, caf\u00e9 floor.',
          ),
          'latin1',
        ),
      ),
    ],
    // The é of "café", 42nd character of line 6 (a marker cannot name a byte that is not UTF-8).
    expect: [at('not-utf8', FRA, 6, 42)],
  },
  {
    name: 'encoding-utf16',
    description: 'an inventory saved as UTF-16LE with a byte order mark',
    edits: [
      put(
        NYC,
        Buffer.concat([
          Buffer.from([0xff, 0xfe]),
          Buffer.from(readFileSync(new URL('./base/inventory/nyc.yaml', import.meta.url), 'utf8'), 'utf16le'),
        ]),
      ),
    ],
    expect: [at('not-utf8', NYC, 1, 1)],
  },
  {
    name: 'encoding-bom-does-not-shift-columns',
    description: 'a UTF-8 byte order mark is accepted, and positions on line 1 are not shifted by it',
    edits: [
      put(
        'windows/bom.yaml',
        `\ufeffapiVersion: patchctl/v2\nkind: Blackout\nmetadata:\n  name: bom\nspec:\n  start: 2026-12-24\n  end: 2026-12-27\n`,
      ),
    ],
    expect: [err('unknown-api-version', 'windows/bom.yaml', 'patchctl/v2')],
  },
  {
    name: 'encoding-crlf-positions',
    description: 'a window saved with Windows line ends (CRLF): lines and columns as in any editor',
    edits: [
      put(
        NYC_WINDOW,
        readFileSync(new URL('./base/windows/nyc.yaml', import.meta.url), 'utf8')
          .replace('  duration: 4h', '  duration: 4 hours')
          .replace(/\n/g, '\r\n'),
      ),
    ],
    expect: [err('invalid-value', NYC_WINDOW, '4 hours')],
  },
  {
    name: 'encoding-crlf-duplicate-key',
    description: 'a YAML error in a CRLF file is on its line too',
    edits: [
      put(
        NYC_WINDOW,
        readFileSync(new URL('./base/windows/nyc.yaml', import.meta.url), 'utf8')
          .replace('  cutoff: 30m', '  cutoff: 30m\n  groups: [fra]\n  cutoff: 1h')
          .replace(/\n/g, '\r\n'),
      ),
    ],
    expect: [err('yaml-duplicate-key', NYC_WINDOW, 'cutoff: 1h')],
  },
  {
    name: 'encoding-cr-only-blackout-is-read',
    description:
      'a Blackout saved with old Mac line ends (CR only) is read, not one comment line: its mistake is seen',
    edits: [
      put(
        FREEZE,
        readFileSync(new URL('./base/windows/freeze.yaml', import.meta.url), 'utf8')
          .replace('groups: [servers]', 'groups: [servres]')
          .replace(/\n/g, '\r'),
      ),
    ],
    expect: [err('unknown-group', FREEZE, 'servres')],
  },
  {
    name: 'encoding-mixed-line-ends',
    description: 'a window whose lines end in LF, CRLF and CR, mixed: positions as in an editor',
    edits: [
      put(
        NYC_WINDOW,
        readFileSync(new URL('./base/windows/nyc.yaml', import.meta.url), 'utf8')
          .replace('  duration: 4h', '  duration: 4 hours')
          .split('\n')
          .map((line, i) => line + ['\n', '\r\n', '\r'][i % 3])
          .join(''),
      ),
    ],
    expect: [err('invalid-value', NYC_WINDOW, '4 hours')],
  },
  {
    name: 'extension-upper-case-is-read',
    description: 'freeze.YAML (upper-case extension) is a document like freeze.yaml: read, never skipped',
    edits: [
      del(FREEZE),
      put(
        'windows/freeze.YAML',
        readFileSync(new URL('./base/windows/freeze.yaml', import.meta.url), 'utf8').replace(
          'groups: [servers]',
          'groups: [servres]',
        ),
      ),
    ],
    expect: [err('unknown-group', 'windows/freeze.YAML', 'servres')],
  },
  {
    name: 'encoding-zero-width-space-in-host-name',
    description: 'an invisible zero-width space pasted into a host name',
    edits: [sub(FRA, '    - name: fra-web-02', '    - name: fra-web\u200b-02')],
    expect: [err('invalid-value', FRA, 'fra-web\u200b-02')],
  },
  {
    name: 'encoding-nul-in-label',
    description: 'a NUL character in a label value',
    edits: [sub(FRA, '        role: app', '        role: app\u0000')],
    expect: [err('invalid-value', FRA, 'app\u0000')],
  },
  {
    name: 'file-too-large',
    description: 'an inventory file over 16 MiB is refused before parsing',
    edits: [put('inventory/huge.yaml', `# ${'x'.repeat(16 * 1024 * 1024)}\n`)],
    expect: [at('file-too-large', 'inventory/huge.yaml', 1, 1)],
  },
];

const envelopeCases: BadInputCase[] = [
  {
    name: 'api-version-v2',
    description: 'an apiVersion this patchctl does not read',
    edits: [sub(NYC, 'apiVersion: patchctl/v1', 'apiVersion: patchctl/v2')],
    expect: [err('unknown-api-version', NYC, 'patchctl/v2')],
  },
  {
    name: 'api-version-kubernetes-habit',
    description: 'apiVersion: v1, as in Kubernetes',
    edits: [sub(NYC, 'apiVersion: patchctl/v1', 'apiVersion: v1')],
    expect: [err('unknown-api-version', NYC, 'v1\n')],
  },
  {
    name: 'api-version-missing',
    description: 'no apiVersion line',
    edits: [sub(NYC, 'apiVersion: patchctl/v1\n', '')],
    expect: [err('missing-api-version', NYC, 'kind: Inventory')],
  },
  {
    name: 'kind-missing',
    description: 'no kind line',
    edits: [sub(NYC, 'kind: Inventory\n', '')],
    expect: [err('missing-kind', NYC, 'apiVersion')],
  },
  {
    name: 'kind-misspelt',
    description: 'kind: Inventroy',
    edits: [sub(NYC, 'kind: Inventory', 'kind: Inventroy')],
    expect: [err('unknown-kind', NYC, 'Inventroy')],
  },
  {
    name: 'kind-lower-case',
    description: 'kind: group',
    edits: [sub(SITES, 'kind: Group\nmetadata:\n  name: nyc', 'kind: group\nmetadata:\n  name: nyc')],
    expect: [err('unknown-kind', SITES, 'group\n')],
  },
  {
    name: 'kind-not-a-string',
    description: 'kind given as a list',
    edits: [sub(FRA_WINDOW, 'kind: MaintenanceWindow', 'kind: [MaintenanceWindow]')],
    expect: [err('unknown-kind', FRA_WINDOW, '[MaintenanceWindow]')],
  },
  {
    name: 'kind-from-another-tool',
    description: 'a Kubernetes ConfigMap dropped into groups/',
    edits: [
      put(
        'groups/configmap.yaml',
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  hosts: fra-web-01\n',
      ),
    ],
    expect: [
      err('unknown-api-version', 'groups/configmap.yaml', 'v1'),
      err('unknown-kind', 'groups/configmap.yaml', 'ConfigMap'),
    ],
  },
  {
    name: 'document-is-a-list',
    description: 'a file whose document is a sequence',
    edits: [put('groups/list.yaml', '- apiVersion: patchctl/v1\n  kind: Group\n')],
    expect: [at('not-a-document', 'groups/list.yaml', 1, 1)],
  },
  {
    name: 'document-is-text',
    description: 'a file of plain text',
    edits: [put('groups/notes.yaml', 'web servers are patched on Fridays\n')],
    expect: [at('not-a-document', 'groups/notes.yaml', 1, 1)],
  },
  {
    name: 'document-is-null',
    description: 'an explicit null document after a separator',
    edits: [sub(ROLES, '  excludeGroups: [db]\n', '  excludeGroups: [db]\n--- ~\n')],
    expect: [err('not-a-document', ROLES, '~')],
  },
  {
    name: 'document-spec-null',
    description: 'a stray separator right after spec: cuts the document in two',
    edits: [sub(NYC_WINDOW, 'spec:\n', 'spec:\n---\n')],
    expect: [
      err('wrong-type', NYC_WINDOW, 'spec:\n', '\n'),
      err('missing-api-version', NYC_WINDOW, 'timezone: America/New_York'),
    ],
  },
  {
    name: 'config-in-groups-folder',
    description: 'a second Config document outside patchctl.yaml',
    edits: [put('groups/config.yaml', doc('Config', 'other', '  timezone: UTC\n'))],
    expect: [err('misplaced-config', 'groups/config.yaml', 'Config')],
  },
  {
    name: 'group-in-patchctl-yaml',
    description: 'a Group added to patchctl.yaml',
    edits: [
      sub(
        CONFIG,
        '    authorEmail: patchctl@example.net\n',
        `    authorEmail: patchctl@example.net\n---\n${doc('Group', 'extra', '  hosts: [fra-web-01]\n')}`,
      ),
    ],
    expect: [err('misplaced-document', CONFIG, 'Group')],
  },
  {
    name: 'two-configs',
    description: 'two Config documents in patchctl.yaml',
    edits: [
      sub(
        CONFIG,
        '    authorEmail: patchctl@example.net\n',
        `    authorEmail: patchctl@example.net\n---\n${doc('Config', 'second', '  timezone: UTC\n')}`,
      ),
    ],
    expect: [err('duplicate-config', CONFIG, 'Config\nmetadata:\n  name: second')],
  },
  {
    name: 'config-missing',
    description: 'no patchctl.yaml',
    edits: [del(CONFIG)],
    expect: [at('missing-config', CONFIG, 1, 1)],
  },
  {
    name: 'config-wrong-extension',
    description: 'patchctl.yml instead of patchctl.yaml',
    edits: [put('patchctl.yml', readFileSync(new URL('./base/patchctl.yaml', import.meta.url))), del(CONFIG)],
    expect: [at('missing-config', CONFIG, 1, 1)],
  },
  {
    name: 'config-empty',
    description: 'an empty patchctl.yaml holds no Config document',
    edits: [put(CONFIG, '')],
    expect: [at('missing-config', CONFIG, 1, 1)],
  },
  {
    name: 'config-comments-only',
    description: 'a patchctl.yaml of comments and a document separator, but no Config',
    edits: [put(CONFIG, '# patchctl configuration, to be written\n---\n# nothing yet\n')],
    expect: [at('missing-config', CONFIG, 1, 1)],
  },
  {
    name: 'repository-missing',
    description: '-C names a directory that does not exist',
    edits: [],
    root: 'no-such-dir',
    expect: [at('repository-not-found', CONFIG, 1, 1)],
  },
  {
    name: 'repository-is-a-file',
    description: '-C names a file',
    edits: [],
    root: 'patchctl.yaml',
    expect: [at('repository-not-found', CONFIG, 1, 1)],
  },
  {
    name: 'config-is-a-directory',
    description: 'patchctl.yaml is a directory',
    edits: [del(CONFIG), { file: CONFIG, mkdir: true }],
    // Said as it is ("is a directory"), not as "patchctl.yaml not found".
    expect: [at('unreadable-file', CONFIG, 1, 1)],
  },
  {
    name: 'dangling-symlink',
    description: 'a symbolic link in groups/ whose target does not exist',
    edits: [{ file: 'groups/old.yaml', symlink: 'removed/old.yaml' }],
    expect: [at('unreadable-file', 'groups/old.yaml', 1, 1)],
  },
  {
    name: 'config-dangling-symlink',
    description: 'patchctl.yaml is a symbolic link whose target does not exist',
    edits: [del(CONFIG), { file: CONFIG, symlink: 'config/patchctl.yaml' }],
    expect: [at('unreadable-file', CONFIG, 1, 1)],
  },
  {
    name: 'fifo-in-inventory',
    description: 'a named pipe inventory/pipe.yaml: reported, never opened (reading it would block for ever)',
    edits: [{ file: 'inventory/pipe.yaml', fifo: true }],
    expect: [at('unreadable-file', 'inventory/pipe.yaml', 1, 1)],
  },
  {
    name: 'document-folder-is-a-file',
    description: 'exceptions is a file rather than a folder (its documents would be silently ignored)',
    edits: [
      del('exceptions'),
      put(
        'exceptions',
        readFileSync(new URL('./base/exceptions/fra-db-01-postgresql.yaml', import.meta.url)),
      ),
    ],
    expect: [at('not-a-folder', 'exceptions', 1, 1)],
  },
  {
    name: 'document-folder-symlink-out-of-repository',
    description: 'exceptions is a symbolic link to a folder outside the repository',
    edits: [
      {
        file: '../elsewhere/fra-db-01-postgresql.yaml',
        content: readFileSync(new URL('./base/exceptions/fra-db-01-postgresql.yaml', import.meta.url)),
      },
      del('exceptions'),
      { file: 'exceptions', symlink: '../elsewhere' },
    ],
    expect: [at('path-outside-repository', 'exceptions', 1, 1)],
  },
  {
    name: 'sub-folder-symlink-out-of-repository',
    description: 'groups/shared is a symbolic link to a folder of groups outside the repository',
    edits: [
      { file: '../shared-groups/extra.yaml', content: doc('Group', 'extra', '  hosts: [fra-web-01]\n') },
      { file: 'groups/shared', symlink: '../../shared-groups' },
    ],
    expect: [at('path-outside-repository', 'groups/shared', 1, 1)],
  },
  {
    name: 'symlink-out-of-repository',
    description:
      'an inventory that is a symbolic link to a file outside the repository (not what git reviews)',
    edits: [
      {
        file: '../outside/nyc.yaml',
        content: readFileSync(new URL('./base/inventory/nyc.yaml', import.meta.url)),
      },
      del(NYC),
      { file: NYC, symlink: '../../outside/nyc.yaml' },
    ],
    expect: [at('path-outside-repository', NYC, 1, 1)],
  },
];

const schemaCases: BadInputCase[] = [
  {
    name: 'unknown-field-metadata-typo',
    description: 'metdata instead of metadata',
    edits: [sub(NYC_WINDOW, 'metadata:\n', 'metdata:\n')],
    expect: [err('unknown-field', NYC_WINDOW, 'metdata'), err('missing-field', NYC_WINDOW, 'apiVersion')],
  },
  {
    name: 'unknown-field-ssh-password',
    description: 'a password in patchctl.yaml: refused with a hint to use an environment variable',
    edits: [sub(CONFIG, '    useAgent: true', '    useAgent: true\n    password: hunter2')],
    expect: [err('unknown-field', CONFIG, 'password: hunter2')],
  },
  {
    name: 'unknown-field-winrm-password',
    description: 'a WinRM password instead of passwordEnv',
    edits: [sub(CONFIG, '    passwordEnv: PATCHCTL_WINRM_PASSWORD', '    password: "S3cr3t!"')],
    expect: [err('unknown-field', CONFIG, 'password: "S3cr3t!"')],
  },
  {
    name: 'unknown-field-ansible-host-var',
    description: 'an Ansible host variable on a host',
    edits: [sub(FRA, '      user: deploy', '      user: deploy\n      ansible_host: 192.0.2.41')],
    expect: [err('unknown-field', FRA, 'ansible_host')],
  },
  {
    name: 'unknown-field-ring-typo',
    description: 'maxParalel in a ring',
    edits: [sub(ROLLOUT, '      maxParallel: 5\n', '      maxParalel: 5\n')],
    expect: [err('unknown-field', ROLLOUT, 'maxParalel')],
  },
  {
    name: 'unknown-field-policy-typo',
    description: 'reboots instead of reboot',
    edits: [sub(SECURITY, '  reboot: ifRequired', '  reboots: ifRequired')],
    expect: [err('unknown-field', SECURITY, 'reboots')],
  },
  {
    name: 'unknown-field-exception-approver',
    description: 'a field PatchException does not have',
    edits: [sub(EXCEPTION, '  ticket: CHG-4711', '  ticket: CHG-4711\n  approver: alice')],
    expect: [err('unknown-field', EXCEPTION, 'approver')],
  },
  {
    name: 'unknown-field-policy-hosts',
    description: 'appliesTo.hosts (policies target groups or selectors)',
    edits: [sub(SECURITY, '    groups: [servers]', '    groups: [servers]\n    hosts: [fra-web-01]')],
    expect: [err('unknown-field', SECURITY, 'hosts: [fra-web-01]')],
  },
  {
    name: 'unknown-field-top-level',
    description: 'a status block, as in Kubernetes objects',
    edits: [
      sub(BASELINE, '  windows: [fra-patch-friday]', '  windows: [fra-patch-friday]\nstatus:\n  applied: 3'),
    ],
    expect: [err('unknown-field', BASELINE, 'status:')],
  },
  {
    name: 'missing-metadata-name',
    description: 'a window without a name',
    edits: [sub(NYC_WINDOW, '  name: nyc-sunday\n', '  description: Sundays\n')],
    expect: [err('missing-field', NYC_WINDOW, 'description: Sundays')],
  },
  {
    name: 'missing-window-duration',
    description: 'a window without duration',
    edits: [sub(FRA_WINDOW, '  duration: 6h\n', '')],
    expect: [err('missing-field', FRA_WINDOW, 'timezone: Europe/Berlin')],
  },
  {
    name: 'missing-window-groups',
    description: 'a window for no groups',
    edits: [sub(NYC_WINDOW, '  groups: [nyc]\n', '')],
    expect: [err('missing-field', NYC_WINDOW, 'timezone: America/New_York')],
  },
  {
    name: 'missing-exception-owner',
    description: 'an exception nobody owns',
    edits: [sub(EXCEPTION, '  owner: team-dba\n', '')],
    expect: [err('missing-field', EXCEPTION, 'hosts: [fra-db-01]')],
  },
  {
    name: 'missing-exception-reason',
    description: 'an exception without a reason',
    edits: [
      sub(
        EXCEPTION,
        '  reason: Vendor certifies PostgreSQL 15.4 only; upgrade planned with the Q1 release.\n',
        '',
      ),
    ],
    expect: [err('missing-field', EXCEPTION, 'hosts: [fra-db-01]')],
  },
  {
    name: 'missing-exception-expires',
    description: 'an exception that never expires',
    edits: [sub(EXCEPTION, '  expires: 2027-02-15\n', '')],
    expect: [err('missing-field', EXCEPTION, 'hosts: [fra-db-01]')],
  },
  {
    name: 'missing-pin-version',
    description: 'a pin without a version',
    edits: [sub(SECURITY, '      version: "=6.1.0-28"\n', '')],
    expect: [err('missing-field', SECURITY, 'package: "linux-image-*"')],
  },
  {
    name: 'missing-host-name',
    description: 'a host with an address and no name',
    edits: [sub(NYC, '    - name: nyc-db-01\n      address', '    - address')],
    expect: [err('missing-field', NYC, 'address: 198.51.100.21')],
  },
  {
    name: 'missing-inventory-hosts',
    description: 'an inventory whose hosts key is misspelt',
    edits: [sub(NYC, '  hosts:\n', '  host:\n')],
    expect: [err('missing-field', NYC, 'defaults:'), err('unknown-field', NYC, 'host:')],
  },
  {
    name: 'missing-selector-operator',
    description: 'a matchExpression without operator',
    edits: [sub(SITES, '        operator: In\n', '')],
    expect: [err('missing-field', SITES, 'key: site')],
  },
  {
    name: 'missing-hook-command',
    description: 'a pre hook with only a timeout',
    edits: [
      sub(SECURITY, '      - command: [systemctl, stop, myapp]\n        timeout: 2m', '      - timeout: 2m'),
    ],
    expect: [err('missing-field', SECURITY, 'timeout: 2m')],
  },
  {
    name: 'missing-spec',
    description: 'a group without spec',
    edits: [sub(SITES, 'spec:\n  selector:\n    matchLabels:\n      site: fra\n', '')],
    expect: [err('missing-field', SITES, 'apiVersion: patchctl/v1\nkind: Group\nmetadata:\n  name: fra')],
  },
  {
    name: 'wrong-type-version-1-10',
    description: 'an unquoted version 1.10 is the number 1.1',
    edits: [sub(SECURITY, '      version: "=6.1.0-28"', '      version: 1.10')],
    expect: [err('wrong-type', SECURITY, '1.10')],
  },
  {
    name: 'wrong-type-numeric-label',
    description: 'rack: 12 is a number, label values are strings',
    edits: [sub(NYC, '        role: db', '        role: db\n        rack: 12')],
    expect: [err('wrong-type', NYC, '12\n')],
  },
  {
    name: 'wrong-type-boolean-label',
    description: 'managed: true is a boolean',
    edits: [sub(NYC, '        role: db', '        role: db\n        managed: true')],
    expect: [err('wrong-type', NYC, 'true')],
  },
  {
    name: 'wrong-type-port-string',
    description: 'a quoted port',
    edits: [sub(FRA, '      port: 2222', '      port: "2222"')],
    expect: [err('wrong-type', FRA, '"2222"')],
  },
  {
    name: 'wrong-type-hosts-string',
    description: 'hosts: given as one string instead of a list',
    edits: [sub(ROLES, '  hosts: [fra-app-01]', '  hosts: fra-app-01')],
    expect: [err('wrong-type', ROLES, 'fra-app-01')],
  },
  {
    name: 'wrong-type-ticket-number',
    description: 'ticket: 4711 is a number',
    edits: [sub(EXCEPTION, '  ticket: CHG-4711', '  ticket: 4711')],
    expect: [err('wrong-type', EXCEPTION, '4711')],
  },
  {
    name: 'wrong-type-name-number',
    description: 'a document named 2024',
    edits: [sub(FREEZE, '  name: year-end-freeze', '  name: 2024')],
    expect: [err('wrong-type', FREEZE, '2024')],
  },
  {
    name: 'wrong-type-duration-number',
    description: 'duration: 6 is a number without a unit',
    edits: [sub(FRA_WINDOW, '  duration: 6h', '  duration: 6')],
    expect: [err('wrong-type', FRA_WINDOW, '6\n')],
  },
  {
    name: 'wrong-type-command-string',
    description: 'a health check given as a shell string instead of an argument vector',
    edits: [
      sub(
        ROLLOUT,
        '        command: [systemctl, is-system-running]',
        '        command: systemctl is-system-running',
      ),
    ],
    expect: [err('wrong-type', ROLLOUT, 'systemctl is-system-running')],
  },
  {
    name: 'wrong-type-rings-mapping',
    description: 'rings written as a mapping',
    edits: [put(ROLLOUT, doc('Rollout', 'standard', '  rings:\n    canary:\n      groups: [canary]\n'))],
    expect: [err('wrong-type', ROLLOUT, 'canary:\n')],
  },
  {
    name: 'enum-transport-typo',
    description: 'transport: sssh',
    edits: [sub(NYC, '      transport: ssh', '      transport: sssh')],
    expect: [err('invalid-value', NYC, 'sssh')],
  },
  {
    name: 'enum-os-typo',
    description: 'os: debain',
    edits: [sub(FRA, '    os: debian', '    os: debain')],
    expect: [err('invalid-value', FRA, 'debain')],
  },
  {
    name: 'enum-reboot',
    description: 'reboot: sometimes',
    edits: [sub(BASELINE, '  reboot: never', '  reboot: sometimes')],
    expect: [err('invalid-value', BASELINE, 'sometimes')],
  },
  {
    name: 'enum-selector-operator-case',
    description: 'operator: in (lower case)',
    edits: [sub(SITES, '        operator: In', '        operator: in')],
    expect: [err('invalid-value', SITES, 'in\n')],
  },
  {
    name: 'enum-classification',
    description: 'classification: [critical] (a severity, not a classification)',
    edits: [sub(SECURITY, '  classification: [security]', '  classification: [critical]')],
    expect: [err('invalid-value', SECURITY, 'critical')],
  },
  {
    name: 'enum-winrm-scheme-case',
    description: 'scheme: HTTPS',
    edits: [sub(CONFIG, '    scheme: https', '    scheme: HTTPS')],
    expect: [err('invalid-value', CONFIG, 'HTTPS')],
  },
  {
    name: 'port-too-large',
    description: 'port 70000',
    edits: [sub(FRA, '      port: 2222', '      port: 70000')],
    expect: [err('invalid-value', FRA, '70000')],
  },
  {
    name: 'port-zero',
    description: 'port 0',
    edits: [sub(CONFIG, '    port: 22\n', '    port: 0\n')],
    expect: [err('invalid-value', CONFIG, '0\n    identityFile')],
  },
  {
    name: 'concurrency-zero',
    description: 'concurrency: 0 would never patch anything',
    edits: [sub(CONFIG, '  concurrency: 10', '  concurrency: 0')],
    expect: [err('invalid-value', CONFIG, '0\n  ssh:')],
  },
  {
    name: 'ring-percent-zero',
    description: 'percent: 0',
    edits: [sub(ROLLOUT, '      percent: 30', '      percent: 0')],
    expect: [err('invalid-value', ROLLOUT, '0\n      maxParallel')],
  },
  {
    name: 'ring-percent-above-100',
    description: 'percent: 130',
    edits: [sub(ROLLOUT, '      percent: 30', '      percent: 130')],
    expect: [err('invalid-value', ROLLOUT, '130')],
  },
  {
    name: 'max-parallel-zero-percent',
    description: 'maxParallel: 0%',
    edits: [sub(ROLLOUT, '      maxParallel: 5\n', '      maxParallel: 0%\n')],
    expect: [err('invalid-value', ROLLOUT, 'maxParallel: 0%', '0%')],
  },
  {
    name: 'max-parallel-fraction',
    description: 'maxParallel: 2.5',
    edits: [sub(ROLLOUT, '      maxParallel: 5\n', '      maxParallel: 2.5\n')],
    expect: [err('invalid-value', ROLLOUT, '2.5')],
  },
  {
    name: 'exception-reason-too-short',
    description: 'reason: n/a',
    edits: [
      sub(
        EXCEPTION,
        '  reason: Vendor certifies PostgreSQL 15.4 only; upgrade planned with the Q1 release.',
        '  reason: n/a',
      ),
    ],
    expect: [err('invalid-value', EXCEPTION, 'n/a')],
  },
  {
    name: 'exception-owner-empty',
    description: 'owner: ""',
    edits: [sub(EXCEPTION, '  owner: team-dba', '  owner: ""')],
    expect: [err('invalid-value', EXCEPTION, '""')],
  },
  {
    name: 'git-email-format',
    description: 'authorEmail without @',
    edits: [sub(CONFIG, '    authorEmail: patchctl@example.net', '    authorEmail: patchctl at example.net')],
    expect: [err('invalid-value', CONFIG, 'patchctl at example.net')],
  },
  {
    name: 'list-duplicate-items',
    description: 'a group listed twice',
    edits: [sub(ROLES, '  groups: [web, db]', '  groups: [web, db, web]')],
    expect: [err('invalid-value', ROLES, '[web, db, web]')],
  },
  {
    name: 'rings-empty',
    description: 'a rollout without rings',
    edits: [put(ROLLOUT, doc('Rollout', 'standard', '  rings: []\n'))],
    expect: [err('invalid-value', ROLLOUT, '[]')],
  },
  {
    name: 'command-empty',
    description: 'an empty argument vector',
    edits: [sub(SECURITY, '      - command: [systemctl, start, myapp]', '      - command: []')],
    expect: [err('invalid-value', SECURITY, '[]')],
  },
  {
    name: 'name-with-space',
    description: 'a group named "web prod"',
    edits: [sub(ROLES, '  name: web\n', '  name: web prod\n')],
    expect: [err('invalid-value', ROLES, 'web prod')],
  },
  {
    name: 'duration-words',
    description: 'duration: 6 hours',
    edits: [sub(FRA_WINDOW, '  duration: 6h', '  duration: 6 hours')],
    expect: [err('invalid-value', FRA_WINDOW, '6 hours')],
  },
  {
    name: 'duration-iso-8601',
    description: 'bakeTime: PT24H (ISO 8601 durations are not the format)',
    edits: [sub(ROLLOUT, '      bakeTime: 24h', '      bakeTime: PT24H')],
    expect: [err('invalid-value', ROLLOUT, 'PT24H')],
  },
  {
    name: 'duration-upper-case',
    description: 'approveAfter: 3D',
    edits: [sub(SECURITY, '  approveAfter: 3d', '  approveAfter: 3D')],
    expect: [err('invalid-value', SECURITY, '3D')],
  },
  {
    name: 'duration-fraction',
    description: 'cutoff: 1.5h',
    edits: [sub(FRA_WINDOW, '  cutoff: 1h', '  cutoff: 1.5h')],
    expect: [err('invalid-value', FRA_WINDOW, '1.5h')],
  },
  {
    name: 'date-german-format',
    description: 'expires: 15.02.2027',
    edits: [sub(EXCEPTION, '  expires: 2027-02-15', '  expires: 15.02.2027')],
    expect: [err('invalid-value', EXCEPTION, '15.02.2027')],
  },
  {
    name: 'date-without-padding',
    description: 'start: 2026-12-5',
    edits: [sub(FREEZE, '  start: 2026-12-20', '  start: 2026-12-5')],
    expect: [err('invalid-value', FREEZE, '2026-12-5')],
  },
  {
    name: 'timezone-with-space',
    description: 'timezone: America/New York (the schema refuses spaces)',
    edits: [sub(NYC_WINDOW, '  timezone: America/New_York', '  timezone: America/New York')],
    expect: [err('invalid-value', NYC_WINDOW, 'America/New York')],
  },
  {
    name: 'rrule-with-prefix',
    description: 'rrule: RRULE:FREQ=... (the iCalendar property name included)',
    edits: [sub(FRA_WINDOW, '  rrule: FREQ=', '  rrule: RRULE:FREQ=')],
    expect: [err('invalid-value', FRA_WINDOW, 'RRULE:FREQ')],
  },
  {
    name: 'cron-macro',
    description: 'cron: "@weekly" (the schema refuses @, although the cron parser knows macros)',
    edits: [sub(NYC_WINDOW, '  cron: 0 2 * * 0', '  cron: "@weekly"')],
    expect: [err('invalid-value', NYC_WINDOW, '"@weekly"')],
  },
];

/** Shell metacharacters in every field that is checked against a safe pattern. */
const metacharCases: BadInputCase[] = [
  {
    name: 'meta-host-name-semicolon',
    description: 'host name with ;',
    edits: [sub(FRA, '    - name: fra-web-01', '    - name: fra-web-01;reboot')],
    expect: [err('invalid-value', FRA, 'fra-web-01;reboot')],
  },
  {
    name: 'meta-host-name-command-substitution',
    description: 'host name with $()',
    edits: [sub(NYC, '    - name: nyc-app-01', '    - name: "nyc-app-01$(id)"')],
    expect: [err('invalid-value', NYC, '"nyc-app-01$(id)"')],
  },
  {
    name: 'meta-address-pipe',
    description: 'address with |',
    edits: [sub(FRA, '      address: 192.0.2.11', '      address: 192.0.2.11|nc')],
    expect: [err('invalid-value', FRA, '192.0.2.11|nc')],
  },
  {
    name: 'meta-address-backtick',
    description: 'address with backticks',
    edits: [sub(NYC, '      address: nyc-app-01.example.net', '      address: "`reboot`.example.net"')],
    expect: [err('invalid-value', NYC, '"`reboot`')],
  },
  {
    name: 'meta-address-newline',
    description: 'address with a newline',
    edits: [sub(FRA, '      address: 192.0.2.21', '      address: "192.0.2.21\\nreboot"')],
    expect: [err('invalid-value', FRA, '"192.0.2.21\\nreboot"')],
  },
  {
    name: 'meta-label-key-ampersand',
    description: 'label key with &',
    edits: [sub(FRA, '        owner: team-dba', '        owner&x: team-dba')],
    expect: [err('invalid-value', FRA, 'owner&x')],
  },
  {
    name: 'meta-label-key-first-pipe',
    description: 'the first label key of the inventory defaults with |',
    edits: [sub(FRA, '      site: fra', '      "site|x": fra')],
    expect: [err('invalid-value', FRA, '"site|x"')],
  },
  {
    name: 'meta-label-value-command-substitution',
    description: 'label value with $()',
    edits: [sub(FRA, '        owner: team-dba', '        owner: team-dba$(id)')],
    expect: [err('invalid-value', FRA, 'team-dba$(id)')],
  },
  {
    name: 'meta-label-value-newline',
    description: 'label value with a newline',
    edits: [sub(NYC, '      env: prod', '      env: "prod\\nstaging"')],
    expect: [err('invalid-value', NYC, '"prod\\nstaging"')],
  },
  {
    name: 'meta-selector-key-semicolon',
    description: 'matchLabels key with ;',
    edits: [sub(SITES, '      site: fra', '      site;x: fra')],
    expect: [err('invalid-value', SITES, 'site;x')],
  },
  {
    name: 'meta-selector-value-pipe',
    description: 'matchExpressions value with |',
    edits: [sub(SITES, '        values: [nyc]', '        values: [nyc, "a|b"]')],
    expect: [err('invalid-value', SITES, '"a|b"')],
  },
  {
    name: 'meta-include-backtick',
    description: 'include glob with backticks',
    edits: [sub(SECURITY, '  include: [openssl, ', '  include: ["openssl`id`", ')],
    expect: [err('invalid-value', SECURITY, '"openssl`id`"')],
  },
  {
    name: 'meta-exclude-redirect',
    description: 'exclude glob with >',
    edits: [sub(SECURITY, '  exclude: ["postgresql-*"]', '  exclude: ["postgresql-*>/tmp/x"]')],
    expect: [err('invalid-value', SECURITY, '"postgresql-*>/tmp/x"')],
  },
  {
    name: 'meta-pin-package-less-than',
    description: 'pin package with <',
    edits: [sub(SECURITY, '    - package: openssl', '    - package: "openssl</etc/passwd"')],
    expect: [err('invalid-value', SECURITY, '"openssl</etc/passwd"')],
  },
  {
    name: 'meta-pin-version-semicolon',
    description: 'pin version with ;',
    edits: [sub(SECURITY, '      version: "=6.1.0-28"', '      version: "=6.1.0-28; rm -rf /"')],
    expect: [err('invalid-value', SECURITY, '"=6.1.0-28; rm -rf /"')],
  },
  {
    name: 'meta-pin-version-redirect',
    description: 'pin version with a > redirection',
    edits: [sub(SECURITY, '      version: ">=3.0.11 <3.1"', '      version: ">=3.0.11 > /etc/passwd"')],
    expect: [err('invalid-value', SECURITY, '">=3.0.11 > /etc/passwd"')],
  },
  {
    name: 'meta-pin-version-newline',
    description: 'pin version with a newline',
    edits: [sub(SECURITY, '      version: ">=3.0.11 <3.1"', '      version: "<3.1\\nreboot"')],
    expect: [err('invalid-value', SECURITY, '"<3.1\\nreboot"')],
  },
  {
    name: 'meta-advisory-ampersand',
    description: 'exception advisory with &&',
    edits: [
      sub(
        EXCEPTION,
        '  advisories: [CVE-2025-48384, DSA-5939-1]',
        '  advisories: [CVE-2025-48384, "DSA-5939-1&&reboot"]',
      ),
    ],
    expect: [err('invalid-value', EXCEPTION, '"DSA-5939-1&&reboot"')],
  },
  {
    name: 'meta-advisory-less-than',
    description: 'exception advisory with <',
    edits: [sub(EXCEPTION, '  advisories: [CVE-2025-48384, ', '  advisories: ["CVE-2025-48384<x", ')],
    expect: [err('invalid-value', EXCEPTION, '"CVE-2025-48384<x"')],
  },
  {
    name: 'meta-exception-package-pipe',
    description: 'exception package with |',
    edits: [
      sub(EXCEPTION, '  packages: [postgresql-15, "libpq*"]', '  packages: ["postgresql-15|x", "libpq*"]'),
    ],
    expect: [err('invalid-value', EXCEPTION, '"postgresql-15|x"')],
  },
  {
    name: 'meta-ssh-user-command-substitution',
    description: 'Config ssh user with $()',
    edits: [sub(CONFIG, '    user: patchctl', '    user: "patchctl$(id)"')],
    expect: [err('invalid-value', CONFIG, '"patchctl$(id)"')],
  },
  {
    name: 'meta-host-user-semicolon',
    description: 'host user with ;',
    edits: [sub(FRA, '      user: deploy', '      user: deploy;id')],
    expect: [err('invalid-value', FRA, 'deploy;id')],
  },
  {
    name: 'meta-host-user-newline',
    description: 'host user with a newline',
    edits: [sub(FRA, '      user: deploy', '      user: "deploy\\nroot"')],
    expect: [err('invalid-value', FRA, '"deploy\\nroot"')],
  },
  {
    name: 'meta-jump-host-option',
    description: 'jumpHost with a space and an ssh option',
    edits: [
      sub(
        CONFIG,
        '    jumpHost: patchctl@bastion.example.net:22',
        '    jumpHost: patchctl@bastion.example.net:22 -oProxyCommand=sh',
      ),
    ],
    expect: [err('invalid-value', CONFIG, 'patchctl@bastion.example.net:22 -oProxyCommand=sh')],
  },
  {
    name: 'meta-jump-host-backtick',
    description: 'host jumpHost with backticks',
    edits: [
      sub(
        FRA,
        '      jumpHost: jump@bastion-fra.example.net:2222',
        '      jumpHost: "jump@`id`.example.net"',
      ),
    ],
    expect: [err('invalid-value', FRA, '"jump@`id`.example.net"')],
  },
  {
    name: 'meta-env-var-command-substitution',
    description: 'passwordEnv with $()',
    edits: [sub(CONFIG, '    passwordEnv: PATCHCTL_WINRM_PASSWORD', '    passwordEnv: PASS$(id)')],
    expect: [err('invalid-value', CONFIG, 'PASS$(id)')],
  },
  {
    name: 'meta-env-var-semicolon',
    description: 'passphraseEnv with ;',
    edits: [sub(CONFIG, '    passphraseEnv: PATCHCTL_SSH_PASSPHRASE', '    passphraseEnv: "PASS;X"')],
    expect: [err('invalid-value', CONFIG, '"PASS;X"')],
  },
  {
    name: 'meta-env-var-greater-than',
    description: 'userEnv with >',
    edits: [sub(CONFIG, '    userEnv: PATCHCTL_WINRM_USER', '    userEnv: "USER>/tmp/x"')],
    expect: [err('invalid-value', CONFIG, '"USER>/tmp/x"')],
  },
  {
    name: 'meta-group-reference-semicolon',
    description: 'group name with ; in a policy',
    edits: [sub(SECURITY, '    groups: [servers]', '    groups: ["servers;id"]')],
    expect: [err('invalid-value', SECURITY, '"servers;id"')],
  },
  {
    name: 'meta-document-name-pipe',
    description: 'document name with |',
    edits: [sub(BASELINE, '  name: baseline', '  name: "baseline|tee"')],
    expect: [err('invalid-value', BASELINE, '"baseline|tee"')],
  },
  {
    name: 'meta-timezone-semicolon',
    description: 'timezone with ;',
    edits: [sub(FREEZE, '  timezone: Europe/Berlin', '  timezone: "Europe/Berlin;id"')],
    expect: [err('invalid-value', FREEZE, '"Europe/Berlin;id"')],
  },
  {
    name: 'meta-rrule-pipe',
    description: 'rrule with |',
    edits: [sub(FRA_WINDOW, 'BYMINUTE=0', 'BYMINUTE=0|reboot')],
    expect: [err('invalid-value', FRA_WINDOW, 'FREQ=MONTHLY')],
  },
  {
    name: 'meta-cron-redirect',
    description: 'cron with > and ;',
    edits: [sub(NYC_WINDOW, '  cron: 0 2 * * 0', '  cron: "0 2 * * 0; reboot > /dev/null"')],
    expect: [err('invalid-value', NYC_WINDOW, '"0 2 * * 0; reboot > /dev/null"')],
  },
  {
    name: 'meta-feed-ampersand',
    description: 'emergency feed with &',
    edits: [sub(SECURITY, '    feeds: [kev.json]', '    feeds: ["kev.json&"]')],
    expect: [err('invalid-value', SECURITY, '"kev.json&"')],
  },
  {
    name: 'meta-exception-host-and',
    description: 'exception host with && and spaces',
    edits: [sub(EXCEPTION, '  hosts: [fra-db-01]', '  hosts: ["fra-db-01 && reboot"]')],
    expect: [err('invalid-value', EXCEPTION, '"fra-db-01 && reboot"')],
  },
  {
    name: 'meta-group-host-backtick',
    description: 'group host with backticks',
    edits: [sub(ROLES, '  hosts: [fra-app-01]', '  hosts: ["`reboot`"]')],
    expect: [err('invalid-value', ROLES, '"`reboot`"')],
  },
  {
    name: 'meta-ring-name-dollar',
    description: 'ring name with $',
    edits: [sub(ROLLOUT, '    - name: pilot', '    - name: "pilot$HOME"')],
    expect: [err('invalid-value', ROLLOUT, '"pilot$HOME"')],
  },
  {
    name: 'real-host-name-non-ascii',
    description:
      'a host name from a real inventory (ansible-core test data, ansible-inventory_files_unicode.yml) with a non-ASCII letter',
    edits: [
      sub(
        FRA,
        '        env: staging\n',
        '        env: staging\n    - name: příbor\n      address: 192.0.2.50\n',
      ),
    ],
    expect: [err('invalid-value', FRA, 'příbor')],
  },
  {
    name: 'real-host-name-ansible-range',
    description:
      'a host pattern from a real inventory (openshift-ansible hosts.example): ose3-master[1:3].test.example.com',
    edits: [
      sub(
        FRA,
        '        env: staging\n',
        '        env: staging\n    - name: ose3-master[1:3].test.example.com\n',
      ),
    ],
    expect: [err('invalid-value', FRA, 'ose3-master[1:3]')],
  },
];

const addressCases: BadInputCase[] = [
  {
    name: 'ipv4-octet-256',
    description: 'an IPv4 octet of 256',
    edits: [sub(FRA, '      address: 192.0.2.12', '      address: 192.0.2.256')],
    expect: [err('invalid-address', FRA, '192.0.2.256')],
  },
  {
    name: 'ipv4-three-octets',
    description: 'an IPv4 address with three octets',
    edits: [sub(FRA, '      address: 192.0.2.12', '      address: 192.0.2')],
    expect: [err('invalid-address', FRA, '192.0.2\n')],
  },
  {
    name: 'ipv4-leading-zero',
    description: 'an IPv4 octet with a leading zero (octal in some resolvers)',
    edits: [sub(FRA, '      address: 192.0.2.12', '      address: 192.0.2.012')],
    expect: [err('invalid-address', FRA, '192.0.2.012')],
  },
  {
    name: 'ipv6-triple-colon',
    description: 'an IPv6 address with :::',
    edits: [sub(NYC, '      address: 2001:db8::11', '      address: 2001:db8:::11')],
    expect: [err('invalid-address', NYC, '2001:db8:::11')],
  },
  {
    name: 'ipv6-not-hex',
    description: 'an IPv6 group with a g',
    edits: [sub(NYC, '      address: 2001:db8::11', '      address: 2001:db8::g1')],
    expect: [err('invalid-address', NYC, '2001:db8::g1')],
  },
  {
    name: 'ipv6-nine-groups',
    description: 'an IPv6 address with nine groups',
    edits: [sub(NYC, '      address: 2001:db8::11', '      address: 1:2:3:4:5:6:7:8:9')],
    expect: [err('invalid-address', NYC, '1:2:3:4:5:6:7:8:9')],
  },
  {
    name: 'ipv6-two-double-colons',
    description: 'an IPv6 address with two ::',
    edits: [sub(NYC, '      address: 2001:db8::11', '      address: 2001::db8::11')],
    expect: [err('invalid-address', NYC, '2001::db8::11')],
  },
  {
    name: 'ipv6-mapped-bad-ipv4',
    description: 'an IPv4-mapped IPv6 address with a bad IPv4 part',
    edits: [sub(NYC, '      address: 2001:db8::11', '      address: ::ffff:192.0.2.300')],
    expect: [err('invalid-address', NYC, '::ffff:192.0.2.300')],
  },
  {
    name: 'ipv6-brackets',
    description: 'an IPv6 address in brackets (URL style)',
    edits: [sub(NYC, '      address: 2001:db8::11', '      address: "[2001:db8::11]"')],
    expect: [err('invalid-value', NYC, '"[2001:db8::11]"')],
  },
  {
    name: 'ipv6-zone-index',
    description: 'an IPv6 link-local address with a zone index',
    edits: [sub(NYC, '      address: 2001:db8::11', '      address: fe80::1%eth0')],
    expect: [err('invalid-value', NYC, 'fe80::1%eth0')],
  },
  {
    name: 'dns-double-dot',
    description: 'a DNS name with an empty label',
    edits: [sub(NYC, '      address: nyc-app-01.example.net', '      address: nyc-app-01..example.net')],
    expect: [err('invalid-address', NYC, 'nyc-app-01..example.net')],
  },
  {
    name: 'dns-label-too-long',
    description: 'a DNS label of 64 characters',
    edits: [
      sub(FRA, '      address: fra-app-01.example.net', `      address: ${'a'.repeat(64)}.example.net`),
    ],
    expect: [err('invalid-address', FRA, `${'a'.repeat(64)}.example.net`)],
  },
  {
    name: 'address-option-injection',
    description: 'an address starting with - (read as an option by ssh)',
    edits: [sub(NYC, '      address: 2001:db8::11', '      address: -oProxyCommand')],
    expect: [err('invalid-address', NYC, '-oProxyCommand')],
  },
  {
    name: 'host-name-as-bad-address',
    description: 'a host without address whose name (used as address) is not a valid IPv4 address',
    edits: [
      sub(NYC, '      address: 198.51.100.21\n', ''),
      sub(NYC, '    - name: nyc-db-01', '    - name: 198.51.100.999'),
    ],
    expect: [err('invalid-address', NYC, '198.51.100.999')],
  },
  {
    name: 'jump-host-option-injection',
    description: 'a jump host starting with - is not checked like addresses',
    edits: [sub(FRA, '      jumpHost: jump@bastion-fra.example.net:2222', '      jumpHost: -oProxyCommand')],
    expect: [err('invalid-address', FRA, '-oProxyCommand')],
  },
  {
    name: 'jump-host-port-out-of-range',
    description: 'the Config jump host on port 99999',
    edits: [
      sub(
        CONFIG,
        '    jumpHost: patchctl@bastion.example.net:22',
        '    jumpHost: patchctl@bastion.example.net:99999',
      ),
    ],
    expect: [err('invalid-address', CONFIG, 'patchctl@bastion.example.net:99999')],
  },
  {
    name: 'jump-host-impossible-ipv4',
    description: 'an inventory default jump host 999.1.1.1',
    edits: [sub(FRA, '  defaults:\n', '  defaults:\n    jumpHost: 999.1.1.1\n')],
    expect: [err('invalid-address', FRA, '999.1.1.1')],
  },
];

const uniquenessCases: BadInputCase[] = [
  {
    name: 'duplicate-host-same-file',
    description: 'two hosts named fra-web-01 in one inventory',
    edits: [sub(FRA, '    - name: fra-web-02', '    - name: fra-web-01')],
    expect: [err('duplicate-host', FRA, 'fra-web-01\n      address: 192.0.2.12')],
  },
  {
    name: 'duplicate-host-across-files',
    description: 'nyc-web-01 defined in both inventories',
    edits: [sub(FRA, '    - name: fra-app-01', '    - name: nyc-web-01')],
    expect: [err('duplicate-host', NYC, 'nyc-web-01\n')],
  },
  {
    name: 'duplicate-group-across-files',
    description: 'a second Group named web',
    edits: [put('groups/more.yaml', doc('Group', 'web', '  hosts: [fra-web-01]\n'))],
    expect: [err('duplicate-name', ROLES, 'web\nspec')],
  },
  {
    name: 'duplicate-window-name',
    description: 'a second MaintenanceWindow named fra-patch-friday',
    edits: [
      put(
        'windows/zz-copy.yaml',
        doc(
          'MaintenanceWindow',
          'fra-patch-friday',
          '  timezone: UTC\n  cron: 0 3 * * 6\n  duration: 2h\n  groups: [nyc]\n',
        ),
      ),
    ],
    expect: [err('duplicate-name', 'windows/zz-copy.yaml', 'fra-patch-friday')],
  },
  {
    name: 'duplicate-policy-same-file',
    description: 'two PatchPolicies named baseline in one file',
    edits: [
      sub(
        BASELINE,
        '  windows: [fra-patch-friday]\n',
        `  windows: [fra-patch-friday]\n---\n${doc('PatchPolicy', 'baseline', '  appliesTo:\n    groups: [web]\n')}`,
      ),
    ],
    expect: [err('duplicate-name', BASELINE, 'baseline\nspec:\n  appliesTo:\n    groups')],
  },
  {
    name: 'duplicate-inventory-name',
    description: 'two inventories named fra',
    edits: [sub(NYC, '  name: nyc', '  name: fra')],
    expect: [err('duplicate-name', NYC, 'fra')],
  },
  {
    name: 'duplicate-exception-name',
    description: 'an exception copied without renaming',
    edits: [put('exceptions/copy.yaml', readFileSync(new URL('./base/' + EXCEPTION, import.meta.url)))],
    expect: [err('duplicate-name', EXCEPTION, 'fra-db-01-postgresql\n')],
  },
];

const referenceCases: BadInputCase[] = [
  {
    name: 'unknown-group-policy',
    description: 'a policy for group "sever"',
    edits: [sub(SECURITY, '    groups: [servers]', '    groups: [sever]')],
    expect: [err('unknown-group', SECURITY, 'sever]')],
  },
  {
    name: 'unknown-group-window',
    description: 'a window for group "frankfurt"',
    edits: [sub(FRA_WINDOW, '  groups: [fra]', '  groups: [frankfurt]')],
    expect: [err('unknown-group', FRA_WINDOW, 'frankfurt')],
  },
  {
    name: 'unknown-group-blackout',
    description: 'a blackout for group "server"',
    edits: [sub(FREEZE, '  groups: [servers]', '  groups: [server]')],
    expect: [err('unknown-group', FREEZE, 'server]')],
  },
  {
    name: 'unknown-group-ring',
    description: 'a ring taking group "canaries"',
    edits: [sub(ROLLOUT, '      groups: [canary]', '      groups: [canaries]')],
    expect: [err('unknown-group', ROLLOUT, 'canaries')],
  },
  {
    name: 'unknown-group-rollout-applies-to',
    description: 'a rollout for group "prod"',
    edits: [sub(ROLLOUT, 'spec:\n  rings:', 'spec:\n  appliesTo: [prod]\n  rings:')],
    expect: [err('unknown-group', ROLLOUT, 'prod]')],
  },
  {
    name: 'unknown-group-included',
    description: 'a group including group "dbs"',
    edits: [sub(ROLES, '  groups: [web, db]', '  groups: [web, dbs]')],
    expect: [err('unknown-group', ROLES, 'dbs')],
  },
  {
    name: 'unknown-group-excluded',
    description: 'a group excluding group "database"',
    edits: [sub(ROLES, '  excludeGroups: [db]', '  excludeGroups: [database]')],
    expect: [err('unknown-group', ROLES, 'database')],
  },
  {
    name: 'unknown-group-exception',
    description: 'an exception for group "dba"',
    edits: [sub(EXCEPTION, '  hosts: [fra-db-01]', '  groups: [dba]')],
    expect: [err('unknown-group', EXCEPTION, 'dba]')],
  },
  {
    name: 'unknown-window',
    description: 'a policy naming window "nyc-sundays"',
    edits: [
      sub(
        SECURITY,
        '  windows: [fra-patch-friday, nyc-sunday]',
        '  windows: [fra-patch-friday, nyc-sundays]',
      ),
    ],
    expect: [err('unknown-window', SECURITY, 'nyc-sundays')],
  },
  {
    name: 'unknown-window-blackout-name',
    description: 'a policy naming a Blackout as one of its windows',
    edits: [sub(BASELINE, '  windows: [fra-patch-friday]', '  windows: [year-end-freeze]')],
    expect: [err('unknown-window', BASELINE, 'year-end-freeze')],
  },
  {
    name: 'unknown-rollout',
    description: 'a policy naming rollout "standrad"',
    edits: [sub(SECURITY, '  rollout: standard', '  rollout: standrad')],
    expect: [err('unknown-rollout', SECURITY, 'standrad')],
  },
  {
    name: 'unknown-host-group',
    description: 'a group naming host "fra-app-02"',
    edits: [sub(ROLES, '  hosts: [fra-app-01]', '  hosts: [fra-app-02]')],
    expect: [err('unknown-host', ROLES, 'fra-app-02')],
  },
  {
    name: 'unknown-host-exclude',
    description: 'a group excluding host "fra-stage-1"',
    edits: [sub(ROLES, '  exclude: [fra-stage-01]', '  exclude: [fra-stage-1]')],
    expect: [err('unknown-host', ROLES, 'fra-stage-1]')],
  },
  {
    name: 'unknown-host-exception',
    description: 'an exception for host "fra-db-1"',
    edits: [sub(EXCEPTION, '  hosts: [fra-db-01]', '  hosts: [fra-db-1]')],
    expect: [err('unknown-host', EXCEPTION, 'fra-db-1]')],
  },
  {
    name: 'unknown-host-fqdn',
    description: 'a group naming a host by its address instead of its inventory name',
    edits: [sub(ROLES, '  hosts: [fra-app-01]', '  hosts: [fra-app-01.example.net]')],
    expect: [err('unknown-host', ROLES, 'fra-app-01.example.net')],
  },
  {
    name: 'unknown-feed-without-extension',
    description: 'feeds: [kev] for advisories/kev.json',
    edits: [sub(SECURITY, '    feeds: [kev.json]', '    feeds: [kev]')],
    expect: [err('unknown-advisory-feed', SECURITY, 'kev]')],
  },
  {
    name: 'unknown-feed-file-removed',
    description: 'the KEV file a policy names is not in advisories/',
    edits: [del(KEV)],
    expect: [err('unknown-advisory-feed', SECURITY, 'kev.json')],
  },
];

const cycleCases: BadInputCase[] = [
  {
    name: 'group-cycle-self',
    description: 'a group including itself',
    edits: [sub(ROLES, '  groups: [web, db]', '  groups: [web, db, servers]')],
    expect: [err('group-cycle', ROLES, 'servers]')],
  },
  {
    name: 'group-cycle-two',
    description: 'web includes servers, which includes web',
    edits: [sub(ROLES, '  exclude: [fra-stage-01]', '  exclude: [fra-stage-01]\n  groups: [servers]')],
    expect: [err('group-cycle', ROLES, 'groups: [web, db]', 'web')],
  },
  {
    name: 'group-cycle-three',
    description: 'web → servers → canary → web',
    edits: [
      sub(ROLES, '  exclude: [fra-stage-01]', '  exclude: [fra-stage-01]\n  groups: [servers]'),
      sub(ROLES, '  groups: [web, db]', '  groups: [canary, db]'),
      sub(ROLES, '  excludeGroups: [db]', '  excludeGroups: [db]\n  groups: [web]'),
    ],
    expect: [err('group-cycle', ROLES, 'web]\n')],
  },
  {
    name: 'group-cycle-through-exclude',
    description: 'db excludes canary, which excludes db',
    edits: [sub(ROLES, '      role: db\n', '      role: db\n  excludeGroups: [canary]\n')],
    expect: [err('group-cycle', ROLES, 'excludeGroups: [db]', 'db')],
  },
];

const ringCases: BadInputCase[] = [
  {
    name: 'ring-host-in-two-rings-groups',
    description: 'pilot takes group web, which shares nyc-web-01 with canary',
    edits: [sub(ROLLOUT, '    - name: pilot\n      percent: 30', '    - name: pilot\n      groups: [web]')],
    expect: [err('host-in-several-rings', ROLLOUT, 'pilot')],
  },
  {
    name: 'ring-host-in-two-rings-selector',
    description: 'pilot takes every staging host by selector, and canary already has fra-stage-01',
    edits: [
      sub(
        ROLLOUT,
        '    - name: pilot\n      percent: 30',
        '    - name: pilot\n      selector:\n        matchLabels:\n          env: staging',
      ),
    ],
    expect: [err('host-in-several-rings', ROLLOUT, 'pilot')],
  },
  {
    name: 'ring-percent-over-100',
    description: 'pilot 30% + broad 80%',
    edits: [sub(ROLLOUT, '      rest: true', '      percent: 80')],
    expect: [err('ring-percent-over', ROLLOUT, '80')],
  },
  {
    name: 'ring-percent-under-100',
    description: 'pilot 30% + broad 50%, no rest ring',
    edits: [sub(ROLLOUT, '      rest: true', '      percent: 50')],
    expect: [err('ring-percent-under', ROLLOUT, '50\n')],
  },
  {
    name: 'ring-percent-thirds',
    description: 'three rings of 33.3% add up to 99.9%',
    edits: [
      sub(ROLLOUT, '      percent: 30', '      percent: 33.3'),
      sub(ROLLOUT, '      rest: true', '      percent: 33.3'),
      sub(
        ROLLOUT,
        '    - name: canary\n      description: Hosts whose owners volunteered.\n      groups: [canary]',
        '    - name: canary\n      percent: 33.3',
      ),
    ],
    expect: [err('ring-percent-under', ROLLOUT, '33.3\n      maxParallel: 5\n')],
  },
  {
    name: 'ring-rest-not-last',
    description: 'the rest ring before another ring',
    edits: [
      sub(
        ROLLOUT,
        '        maxFailedPercent: 10',
        '        maxFailedPercent: 10\n    - name: stragglers\n      percent: 10',
      ),
    ],
    expect: [err('rest-ring-not-last', ROLLOUT, 'true')],
  },
  {
    name: 'ring-empty',
    description: 'a ring with nothing to take hosts by',
    edits: [sub(ROLLOUT, '    - name: pilot\n      percent: 30\n', '    - name: pilot\n')],
    expect: [err('empty-ring', ROLLOUT, 'pilot')],
  },
  {
    name: 'ring-ambiguous-groups-and-percent',
    description: 'a ring with both groups and percent',
    edits: [sub(ROLLOUT, '      percent: 30', '      percent: 30\n      groups: [db]')],
    expect: [err('ambiguous-ring', ROLLOUT, 'pilot')],
  },
  {
    name: 'ring-ambiguous-percent-and-rest',
    description: 'a ring with both percent and rest',
    edits: [sub(ROLLOUT, '      rest: true', '      rest: true\n      percent: 50')],
    expect: [err('ambiguous-ring', ROLLOUT, 'broad')],
  },
  {
    name: 'ring-duplicate-name',
    description: 'two rings named canary',
    edits: [sub(ROLLOUT, '    - name: pilot', '    - name: canary')],
    expect: [err('duplicate-ring', ROLLOUT, 'canary\n      percent')],
  },
  {
    name: 'ring-rest-stays-empty',
    description: 'percent rings already add up to 100%, so the rest ring is empty (a warning)',
    edits: [sub(ROLLOUT, '      percent: 30', '      percent: 100')],
    strict: true,
    expect: [warn('rest-ring-empty', ROLLOUT, 'rest: true', 'true')],
  },
  {
    name: 'ring-hosts-left-over',
    description: 'rings by group only leave nyc-app-01 out (a warning)',
    edits: [
      sub(ROLLOUT, '    - name: pilot\n      percent: 30', '    - name: pilot\n      groups: [db]'),
      sub(ROLLOUT, '    - name: broad\n      rest: true', '    - name: broad\n      groups: [web]'),
    ],
    strict: true,
    expect: [warn('hosts-without-ring', ROLLOUT, 'rings:')],
  },
];

const zoneCases: BadInputCase[] = [
  {
    name: 'zone-unknown-config',
    description: 'Europe/Frankfurt is not a zone',
    edits: [sub(CONFIG, '  timezone: Europe/Berlin', '  timezone: Europe/Frankfurt')],
    expect: [err('unknown-timezone', CONFIG, 'Europe/Frankfurt')],
  },
  {
    name: 'zone-misspelt-window',
    description: 'Europe/Berln',
    edits: [sub(FRA_WINDOW, '  timezone: Europe/Berlin', '  timezone: Europe/Berln')],
    expect: [err('unknown-timezone', FRA_WINDOW, 'Europe/Berln')],
  },
  {
    name: 'zone-lower-case-blackout',
    description: 'europe/berlin',
    edits: [sub(FREEZE, '  timezone: Europe/Berlin', '  timezone: europe/berlin')],
    expect: [err('unknown-timezone', FREEZE, 'europe/berlin')],
  },
  {
    name: 'zone-city-only-host',
    description: 'a host in zone "New_York"',
    edits: [sub(NYC, '      os: debian', '      os: debian\n      timezone: New_York')],
    expect: [err('unknown-timezone', NYC, 'timezone: New_York', 'New_York')],
  },
  {
    name: 'zone-typo-inventory-defaults',
    description: 'America/NewYork',
    edits: [sub(NYC, '    timezone: America/New_York', '    timezone: America/NewYork')],
    expect: [err('unknown-timezone', NYC, 'America/NewYork')],
  },
  {
    name: 'zone-utc-offset',
    description: 'UTC+1 is an offset, not a zone',
    edits: [sub(NYC_WINDOW, '  timezone: America/New_York', '  timezone: UTC+1')],
    expect: [err('unknown-timezone', NYC_WINDOW, 'UTC+1')],
  },
];

const scheduleCases: BadInputCase[] = [
  {
    name: 'duration-units-out-of-order',
    description: 'approveAfter: 30m1h',
    edits: [sub(SECURITY, '  approveAfter: 3d', '  approveAfter: 30m1h')],
    expect: [err('invalid-duration', SECURITY, '30m1h')],
  },
  {
    name: 'duration-unit-repeated',
    description: 'duration: 1h6h',
    edits: [sub(FRA_WINDOW, '  duration: 6h', '  duration: 1h6h')],
    expect: [err('invalid-duration', FRA_WINDOW, '1h6h')],
  },
  {
    name: 'duration-zero-window',
    description: 'a window lasting 0h',
    edits: [sub(NYC_WINDOW, '  duration: 4h', '  duration: 0h')],
    expect: [err('invalid-duration', NYC_WINDOW, '0h'), err('cutoff-too-long', NYC_WINDOW, '30m')],
  },
  {
    name: 'duration-zero-timeout',
    description: 'connectTimeout: 0s',
    edits: [sub(CONFIG, '    connectTimeout: 15s', '    connectTimeout: 0s')],
    expect: [err('invalid-duration', CONFIG, 'connectTimeout: 0s', '0s')],
  },
  {
    name: 'duration-too-large',
    description: 'an SLA of 99999999999999999999w',
    edits: [sub(CONFIG, '    low: 90d', '    low: 99999999999999999999w')],
    expect: [err('invalid-duration', CONFIG, '99999999999999999999w')],
  },
  {
    name: 'duration-zero-exception-max',
    description: 'exceptions.maxDuration: 0d',
    edits: [sub(CONFIG, '    maxDuration: 90d', '    maxDuration: 0d')],
    expect: [err('invalid-duration', CONFIG, 'maxDuration: 0d', '0d')],
  },
  {
    name: 'cutoff-equals-duration',
    description: 'cutoff 6h in a 6h window',
    edits: [sub(FRA_WINDOW, '  cutoff: 1h', '  cutoff: 6h')],
    expect: [err('cutoff-too-long', FRA_WINDOW, '6h\n  groups')],
  },
  {
    name: 'cutoff-longer-than-duration',
    description: 'cutoff 1d in a 4h window',
    edits: [sub(NYC_WINDOW, '  cutoff: 30m', '  cutoff: 1d')],
    expect: [err('cutoff-too-long', NYC_WINDOW, '1d')],
  },
  {
    name: 'rrule-monthly-without-day',
    description: 'FREQ=MONTHLY without BYDAY or BYMONTHDAY',
    edits: [sub(FRA_WINDOW, 'FREQ=MONTHLY;BYDAY=2TU;', 'FREQ=MONTHLY;')],
    expect: [err('invalid-recurrence', FRA_WINDOW, 'FREQ=MONTHLY')],
  },
  {
    name: 'rrule-sixth-tuesday',
    description: 'BYDAY=6TU',
    edits: [sub(FRA_WINDOW, 'BYDAY=2TU', 'BYDAY=6TU')],
    expect: [err('invalid-recurrence', FRA_WINDOW, 'FREQ=MONTHLY')],
  },
  {
    name: 'rrule-count',
    description: 'COUNT (not supported: windows recur forever or until UNTIL)',
    edits: [sub(FRA_WINDOW, 'BYMINUTE=0', 'BYMINUTE=0;COUNT=3')],
    expect: [err('invalid-recurrence', FRA_WINDOW, 'FREQ=MONTHLY')],
  },
  {
    name: 'rrule-unknown-frequency',
    description: 'FREQ=FORTNIGHTLY',
    edits: [sub(FRA_WINDOW, 'FREQ=MONTHLY;BYDAY=2TU', 'FREQ=FORTNIGHTLY;BYDAY=TU')],
    expect: [err('invalid-recurrence', FRA_WINDOW, 'FREQ=FORTNIGHTLY')],
  },
  {
    name: 'rrule-hour-24',
    description: 'BYHOUR=24',
    edits: [sub(FRA_WINDOW, 'BYHOUR=22', 'BYHOUR=24')],
    expect: [err('invalid-recurrence', FRA_WINDOW, 'FREQ=MONTHLY')],
  },
  {
    name: 'rrule-until-impossible-date',
    description: 'UNTIL=20270230',
    edits: [sub(FRA_WINDOW, 'BYMINUTE=0', 'BYMINUTE=0;UNTIL=20270230')],
    expect: [err('invalid-recurrence', FRA_WINDOW, 'FREQ=MONTHLY')],
  },
  {
    name: 'rrule-lower-case',
    description: 'freq=monthly (the schema wants upper case)',
    edits: [
      sub(FRA_WINDOW, 'FREQ=MONTHLY;BYDAY=2TU;BYHOUR=22;BYMINUTE=0', 'freq=monthly;byday=2tu;byhour=22'),
    ],
    expect: [err('invalid-value', FRA_WINDOW, 'freq=monthly')],
  },
  {
    name: 'window-rrule-and-cron',
    description: 'a window with both rrule and cron',
    edits: [sub(FRA_WINDOW, '  offset: 3d', '  cron: 0 22 * * 5\n  offset: 3d')],
    expect: [err('invalid-recurrence', FRA_WINDOW, 'FREQ=MONTHLY')],
  },
  {
    name: 'window-without-recurrence',
    description: 'a window with neither rrule nor cron',
    edits: [sub(NYC_WINDOW, '  cron: 0 2 * * 0\n', '')],
    expect: [err('invalid-recurrence', NYC_WINDOW, 'timezone: America/New_York')],
  },
  {
    name: 'cron-hour-25',
    description: 'cron hour 25',
    edits: [sub(NYC_WINDOW, '  cron: 0 2 * * 0', '  cron: 0 25 * * 0')],
    expect: [err('invalid-recurrence', NYC_WINDOW, '0 25 * * 0')],
  },
  {
    name: 'cron-four-fields',
    description: 'a cron expression with four fields',
    edits: [sub(NYC_WINDOW, '  cron: 0 2 * * 0', '  cron: 0 2 * *')],
    expect: [err('invalid-recurrence', NYC_WINDOW, '0 2 * *')],
  },
  {
    name: 'cron-six-fields',
    description: 'a cron expression with seconds (six fields, Quartz style)',
    edits: [sub(NYC_WINDOW, '  cron: 0 2 * * 0', '  cron: 0 0 2 ? * SUN')],
    expect: [err('invalid-recurrence', NYC_WINDOW, '0 0 2 ? * SUN')],
  },
  {
    name: 'blackout-cron-invalid',
    description: 'a recurring blackout with cron month 13',
    edits: [
      sub(FREEZE, '  start: 2026-12-20\n  end: 2027-01-04T08:00\n', '  cron: 0 0 20 13 *\n  duration: 15d\n'),
    ],
    expect: [err('invalid-recurrence', FREEZE, '0 0 20 13 *')],
  },
  {
    name: 'blackout-mixed',
    description: 'a blackout with start/end and an rrule',
    edits: [
      sub(
        FREEZE,
        '  end: 2027-01-04T08:00\n',
        '  end: 2027-01-04T08:00\n  rrule: FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=20;BYHOUR=0\n',
      ),
    ],
    expect: [err('invalid-blackout', FREEZE, 'timezone: Europe/Berlin')],
  },
  {
    name: 'blackout-without-period',
    description: 'a blackout with neither start/end nor a recurrence',
    edits: [sub(FREEZE, '  start: 2026-12-20\n  end: 2027-01-04T08:00\n', '')],
    expect: [err('invalid-blackout', FREEZE, 'timezone: Europe/Berlin')],
  },
  {
    name: 'blackout-recurring-without-duration',
    description: 'a recurring blackout with no duration',
    edits: [sub(FREEZE, '  start: 2026-12-20\n  end: 2027-01-04T08:00\n', '  cron: 0 0 20 12 *\n')],
    expect: [err('invalid-blackout', FREEZE, 'timezone: Europe/Berlin')],
  },
  {
    name: 'blackout-start-without-end',
    description: 'a blackout that never ends',
    edits: [sub(FREEZE, '  end: 2027-01-04T08:00\n', '')],
    expect: [err('invalid-blackout', FREEZE, '2026-12-20')],
  },
  {
    name: 'blackout-ends-before-start',
    description: 'end before start',
    edits: [sub(FREEZE, '  start: 2026-12-20', '  start: 2027-01-05')],
    expect: [err('invalid-blackout', FREEZE, '2027-01-04T08:00')],
  },
  {
    name: 'blackout-ends-when-it-starts',
    description: 'end equal to start',
    edits: [sub(FREEZE, '  start: 2026-12-20', '  start: 2027-01-04T08:00')],
    expect: [err('invalid-blackout', FREEZE, '2027-01-04T08:00\n  groups')],
  },
  {
    name: 'blackout-impossible-date',
    description: 'start: 2026-02-30',
    edits: [sub(FREEZE, '  start: 2026-12-20', '  start: 2026-02-30')],
    expect: [err('invalid-date', FREEZE, '2026-02-30')],
  },
  {
    name: 'blackout-impossible-hour',
    description: 'start at 25:00',
    edits: [sub(FREEZE, '  start: 2026-12-20', '  start: 2026-12-20T25:00')],
    expect: [err('invalid-date', FREEZE, '2026-12-20T25:00')],
  },
  {
    name: 'blackout-impossible-offset',
    description: 'an end with a UTC offset of +99:99',
    edits: [sub(FREEZE, '  end: 2027-01-04T08:00', '  end: 2027-01-04T08:00:00+99:99')],
    expect: [err('invalid-date', FREEZE, '2027-01-04T08:00:00+99:99')],
  },
  {
    name: 'windows-overlap',
    description: 'a weekly Friday window for fra that overlaps the Patch-Tuesday-plus-3 window (a warning)',
    edits: [put('windows/fra-weekly.yaml', OVERLAPPING_WINDOW)],
    strict: true,
    // Reported on the later of the two in file order.
    expect: [warn('overlapping-windows', FRA_WINDOW, 'groups: [fra]')],
  },
];

const exceptionCases: BadInputCase[] = [
  {
    name: 'exception-without-target',
    description: 'an exception for no hosts and no groups',
    edits: [sub(EXCEPTION, '  hosts: [fra-db-01]\n', '')],
    expect: [err('exception-without-target', EXCEPTION, 'packages:')],
  },
  {
    name: 'exception-without-subject',
    description: 'an exception waiving no package and no advisory',
    edits: [
      sub(
        EXCEPTION,
        '  packages: [postgresql-15, "libpq*"]\n  advisories: [CVE-2025-48384, DSA-5939-1]\n',
        '',
      ),
    ],
    expect: [err('exception-without-subject', EXCEPTION, 'hosts:')],
  },
  {
    name: 'exception-expired',
    description: 'expired the day before --at',
    edits: [sub(EXCEPTION, '  expires: 2027-02-15', '  expires: 2026-11-30')],
    expect: [err('exception-expired', EXCEPTION, '2026-11-30')],
  },
  {
    name: 'exception-expired-at-later-time',
    description: 'the base exception, validated after it expired',
    edits: [],
    at: '2027-02-16T00:00:00Z',
    expect: [err('exception-expired', EXCEPTION, '2027-02-15')],
  },
  {
    name: 'exception-expired-at-end-of-day',
    description:
      'a date expiry lasts through the end of that day in the Config zone (23:00 UTC in Berlin winter)',
    edits: [],
    at: '2027-02-15T23:00:00Z',
    expect: [err('exception-expired', EXCEPTION, '2027-02-15')],
  },
  {
    name: 'exception-expired-instant',
    description: 'an expiry given as an instant, one second before --at',
    edits: [sub(EXCEPTION, '  expires: 2027-02-15', '  expires: 2026-11-30T23:59:59Z')],
    expect: [err('exception-expired', EXCEPTION, '2026-11-30T23:59:59Z')],
  },
  {
    name: 'exception-too-long',
    description: '193 days from creation with a 90d maximum',
    edits: [sub(EXCEPTION, '  expires: 2027-02-15', '  expires: 2027-06-01')],
    expect: [err('exception-too-long', EXCEPTION, '2027-06-01')],
  },
  {
    name: 'exception-too-long-from-now',
    description: 'no created date: measured from --at',
    edits: [
      sub(EXCEPTION, '  created: 2026-11-20\n', ''),
      sub(EXCEPTION, '  expires: 2027-02-15', '  expires: 2027-03-15'),
    ],
    expect: [err('exception-too-long', EXCEPTION, '2027-03-15')],
  },
  {
    name: 'exception-too-long-back-dated',
    description: 'a created date long ago does not shorten the remaining time, but the total counts',
    edits: [sub(EXCEPTION, '  created: 2026-11-20', '  created: 2026-06-01')],
    expect: [err('exception-too-long', EXCEPTION, '2027-02-15')],
  },
  {
    name: 'exception-longer-than-config-maximum',
    description: 'the Config maximum lowered to 30d',
    edits: [sub(CONFIG, '    maxDuration: 90d', '    maxDuration: 30d')],
    expect: [err('exception-too-long', EXCEPTION, '2027-02-15')],
  },
  {
    name: 'exception-ends-before-created',
    description: 'created after expires',
    edits: [sub(EXCEPTION, '  created: 2026-11-20', '  created: 2027-03-01')],
    expect: [err('exception-ends-before-start', EXCEPTION, '2027-02-15')],
  },
  {
    name: 'exception-impossible-expiry',
    description: 'expires: 2027-02-30',
    edits: [sub(EXCEPTION, '  expires: 2027-02-15', '  expires: 2027-02-30')],
    expect: [err('invalid-date', EXCEPTION, '2027-02-30')],
  },
  {
    name: 'exception-leap-day',
    description: 'expires: 2027-02-29 (2027 is not a leap year)',
    edits: [sub(EXCEPTION, '  expires: 2027-02-15', '  expires: 2027-02-29')],
    expect: [err('invalid-date', EXCEPTION, '2027-02-29')],
  },
  {
    name: 'exception-impossible-created',
    description: 'created: 2026-13-01',
    edits: [sub(EXCEPTION, '  created: 2026-11-20', '  created: 2026-13-01')],
    expect: [err('invalid-date', EXCEPTION, '2026-13-01')],
  },
  {
    name: 'exception-impossible-offset',
    description: 'an expiry with the UTC offset +25:00',
    edits: [sub(EXCEPTION, '  expires: 2027-02-15', '  expires: 2027-01-15T12:00:00+25:00')],
    expect: [err('invalid-date', EXCEPTION, '2027-01-15T12:00:00+25:00')],
  },
  {
    name: 'exception-expiring-soon',
    description: 'validated 5 days before the expiry (a warning)',
    edits: [],
    at: '2027-02-10T00:00:00Z',
    strict: true,
    expect: [warn('exception-expiring', EXCEPTION, '2027-02-15')],
  },
];

const policyCases: BadInputCase[] = [
  {
    name: 'policy-applies-to-nothing',
    description: 'appliesTo: {}',
    edits: [sub(SECURITY, '  appliesTo:\n    groups: [servers]', '  appliesTo: {}')],
    expect: [err('policy-without-target', SECURITY, 'appliesTo')],
  },
  {
    name: 'policy-empty-selector',
    description: 'appliesTo with an empty selector',
    edits: [
      sub(
        BASELINE,
        '    selector:\n      matchExpressions:\n        - key: env\n          operator: In\n          values: [prod, staging]',
        '    selector: {}',
      ),
    ],
    expect: [err('policy-without-target', BASELINE, 'appliesTo')],
  },
  {
    name: 'policy-matches-no-host',
    description: 'a selector no host matches (a warning)',
    edits: [sub(BASELINE, '          values: [prod, staging]', '          values: [dev]')],
    strict: true,
    expect: [warn('policy-matches-no-host', BASELINE, 'appliesTo')],
  },
  {
    name: 'policy-excludes-what-it-includes',
    description: 'include and exclude the same packages (a warning)',
    edits: [
      sub(
        SECURITY,
        '  exclude: ["postgresql-*"]',
        '  exclude: [openssl, openssh-server, libssl3, "linux-image-*"]',
      ),
    ],
    strict: true,
    expect: [warn('policy-matches-no-package', SECURITY, 'exclude')],
  },
  {
    name: 'policy-excludes-everything',
    description: 'exclude: ["*"] (a warning)',
    edits: [sub(SECURITY, '  exclude: ["postgresql-*"]', '  exclude: ["*"]')],
    strict: true,
    expect: [warn('policy-matches-no-package', SECURITY, 'exclude')],
  },
  {
    name: 'policy-redundant-classification',
    description: 'classification: [all, security] (a warning)',
    edits: [sub(BASELINE, '  classification: [security, bugfix]', '  classification: [all, security]')],
    strict: true,
    expect: [warn('redundant-classification', BASELINE, '[all, security]')],
  },
];

/** Version pins that pass the schema's pattern but that neither dpkg nor rpm can read. */
const pinCases: BadInputCase[] = [
  {
    name: 'pin-star-inside-version',
    description: 'a * in the middle of a version (only a trailing * is a prefix match)',
    edits: [sub(SECURITY, '      version: "=6.1.0-28"', '      version: "=6.1.*-28"')],
    expect: [err('invalid-pin', SECURITY, '"=6.1.*-28"')],
  },
  {
    name: 'pin-empty-revision',
    description: 'a version ending in - (an empty Debian revision, a broken rpm release)',
    edits: [sub(SECURITY, '      version: "=6.1.0-28"', '      version: "=6.1.0-"')],
    expect: [err('invalid-pin', SECURITY, '"=6.1.0-"')],
  },
  {
    name: 'pin-empty-after-epoch',
    description: 'an epoch with no version after it',
    edits: [sub(SECURITY, '      version: ">=3.0.11 <3.1"', '      version: ">=3.0.11 <1:"')],
    expect: [err('invalid-pin', SECURITY, '">=3.0.11 <1:"')],
  },
];

// Hooks and health checks the quoting function (core/command/argv.ts) would refuse at apply
// time, after the canary was already patched and rebooted (issue 12).
const commandCases: BadInputCase[] = [
  {
    name: 'command-program-starts-with-dash',
    description: 'a pre hook whose program starts with "-" (env would take it for an option)',
    edits: [sub(SECURITY, 'command: [systemctl, stop, myapp]', 'command: ["-rf", stop, myapp]')],
    expect: [err('invalid-command', SECURITY, '"-rf"')],
  },
  {
    name: 'command-program-holds-equals',
    description: 'a post hook whose program holds "=" (env would take it for a variable assignment)',
    edits: [sub(SECURITY, 'command: [systemctl, start, myapp]', 'command: [MODE=1, systemctl, start]')],
    expect: [err('invalid-command', SECURITY, 'MODE=1')],
  },
  {
    name: 'command-program-empty',
    description: 'a post hook whose program is the empty string',
    edits: [sub(SECURITY, 'command: [systemctl, start, myapp]', 'command: ["", systemctl, start]')],
    expect: [err('invalid-command', SECURITY, '"", systemctl')],
  },
  {
    name: 'command-nul-escape',
    description: 'a health-check argument holding a NUL byte, written as a YAML "\\0" escape',
    edits: [
      sub(SECURITY, '[curl, -fsS, http://127.0.0.1/healthz]', '[curl, -fsS, "http://127.0.0.1/healthz\\0"]'),
    ],
    expect: [err('invalid-command', SECURITY, '"http://127.0.0.1/healthz')],
  },
  {
    name: 'command-lone-surrogate-escape',
    description:
      'a ring health-check argument holding an unpaired surrogate, written as a YAML "\\ud800" escape',
    edits: [sub(ROLLOUT, '[systemctl, is-system-running]', '[systemctl, "is-system-running\\ud800"]')],
    expect: [err('invalid-command', ROLLOUT, '"is-system-running')],
  },
];

const advisoryCases: BadInputCase[] = [
  {
    name: 'real-osv-no-introduced',
    description:
      "the OSV linter's own negative test record (ossf/osv-schema testdata nointroduced-CVE-2023-41045.json) under advisories/",
    edits: [put('advisories/nointroduced-CVE-2023-41045.json', real('nointroduced-CVE-2023-41045.json'))],
    expect: [err('osv-no-introduced', 'advisories/nointroduced-CVE-2023-41045.json', '"events": [', '[')],
  },
  {
    name: 'real-osv-range-not-distinct',
    description:
      "the OSV linter's record whose GIT range is fixed in the commit it is introduced in (ossf/osv-schema testdata nondistinct-CVE-2018-5407.json)",
    edits: [put('advisories/nondistinct-CVE-2018-5407.json', real('nondistinct-CVE-2018-5407.json'))],
    expect: [
      err(
        'osv-range-not-distinct',
        'advisories/nondistinct-CVE-2018-5407.json',
        '"fixed": "e818b74be2170fbe957a07b0da4401c2b694b3b8"',
        '"e818',
      ),
    ],
  },
  {
    name: 'osv-bad-modified',
    description: 'an OSV record whose modified is not a date-time',
    edits: [
      put(
        'advisories/osv/DSA-0000-1.json',
        '{\n  "id": "DSA-0000-1",\n  "modified": "yesterday",\n  "affected": []\n}\n',
      ),
    ],
    expect: [err('invalid-osv', 'advisories/osv/DSA-0000-1.json', '"yesterday"')],
  },
  {
    name: 'kev-entry-without-cve',
    description: 'a KEV entry missing cveID',
    edits: [sub(KEV, '      "cveID": "CVE-2024-8068",\n', '')],
    expect: [err('invalid-kev', KEV, '{\n      "vendorProject": "Citrix"')],
  },
  {
    name: 'kev-cve-with-shell',
    description: 'a KEV cveID with shell metacharacters',
    edits: [sub(KEV, '"cveID": "CVE-2024-8068"', '"cveID": "CVE-2024-8068; rm -rf /"')],
    expect: [err('invalid-kev', KEV, '"CVE-2024-8068; rm -rf /"')],
  },
  {
    name: 'kev-count-string',
    description: 'count as a string',
    edits: [sub(KEV, '  "count": 3,', '  "count": "3",')],
    expect: [err('invalid-kev', KEV, '"3"')],
  },
  {
    name: 'kev-date-released-format',
    description: 'dateReleased that is not a date-time',
    edits: [sub(KEV, '"dateReleased": "2025-08-25T17:04:19.9796Z"', '"dateReleased": "25.08.2025"')],
    expect: [err('invalid-kev', KEV, '"25.08.2025"')],
  },
  {
    name: 'json-double-comma',
    description: 'two commas in a row',
    edits: [sub(KEV, '  "count": 3,', '  "count": 3,,')],
    expect: [err('json-syntax', KEV, ',,\n', ',\n')],
  },
  {
    name: 'json-trailing-comma',
    description: 'a trailing comma before }',
    edits: [sub(KEV, '      "cwes": ["CWE-269"]\n', '      "cwes": ["CWE-269"],\n')],
    expect: [err('json-syntax', KEV, '],\n    },', '}')],
  },
  {
    name: 'json-comment',
    description: 'a // comment',
    edits: [sub(KEV, '  "count": 3,', '  "count": 3, // three entries')],
    expect: [err('json-syntax', KEV, '// three')],
  },
  {
    name: 'json-truncated',
    description: 'a download cut off in the middle',
    edits: [
      put(
        KEV,
        '{\n  "title": "CISA Catalog of Known Exploited Vulnerabilities",\n  "catalogVersion": "2025.0',
      ),
    ],
    expect: [at('json-syntax', KEV, 3, 28)],
  },
  {
    name: 'json-duplicate-key',
    description: 'a key written twice: JSON.parse keeps the last, a reviewer sees the first',
    edits: [sub(KEV, '  "count": 3,', '  "count": 3,\n  "count": 0,')],
    expect: [err('json-duplicate-key', KEV, '"count": 0')],
  },
  {
    name: 'json-empty-file',
    description: 'an empty feed file',
    edits: [put('advisories/empty.json', '')],
    expect: [at('json-syntax', 'advisories/empty.json', 1, 1)],
  },
  {
    name: 'json-single-quotes',
    description: 'a feed written with single quotes',
    edits: [put('advisories/quotes.json', "{'catalogVersion': '1', 'vulnerabilities': []}\n")],
    expect: [at('json-syntax', 'advisories/quotes.json', 1, 2)],
  },
  {
    name: 'advisory-unknown-format',
    description: 'a JSON file that is neither KEV nor OSV (an EPSS list), ignored with a warning',
    edits: [put('advisories/epss.json', '[{"cve": "CVE-2021-33739", "epss": 0.97}]\n')],
    strict: true,
    expect: [{ ...at('unknown-advisory-format', 'advisories/epss.json', 1, 1), severity: 'warning' }],
  },
  {
    name: 'advisory-not-utf8',
    description: 'a feed in Latin-1',
    edits: [put('advisories/latin1.json', Buffer.from('{"title": "Sch\u00e4den"}\n', 'latin1'))],
    // The ä of "Schäden".
    expect: [at('not-utf8', 'advisories/latin1.json', 1, 15)],
  },
  {
    name: 'kev-csv-partial-header',
    description: "a CSV that starts like CISA's KEV but lacks its columns: the file is not used",
    edits: [put('advisories/kev.csv', 'cveID,vendorProject,product\nCVE-2025-48384,Git,Git\n')],
    expect: [at('invalid-kev-row', 'advisories/kev.csv', 1, 1)],
  },
  {
    name: 'kev-csv-bad-row',
    description: "a row of CISA's KEV CSV whose id is not a CVE: the whole file is not used",
    edits: [
      put(
        'advisories/kev.csv',
        'cveID,vendorProject,product,vulnerabilityName,dateAdded,shortDescription,requiredAction,dueDate,knownRansomwareCampaignUse,notes,cwes\n' +
          'CVE-2025-48384,Git,Git,"Git Link Following Vulnerability",2025-08-25,"Git contains, a link",Apply,2025-09-15,Unknown,,\n' +
          'GHSA-vwqx-4fm8-6qc9,Git,Git,"Git Link Following Vulnerability",2025-08-25,x,y,2025-09-15,Unknown,,\n',
      ),
    ],
    expect: [
      err('invalid-kev-row', 'advisories/kev.csv', 'GHSA-vwqx'),
      at('feed-not-used', 'advisories/kev.csv', 1, 1),
    ],
  },
  {
    name: 'epss-score-out-of-range',
    description: 'an EPSS score above 1: the whole file is not used',
    edits: [put(EPSS, EPSS_CSV.replace('0.93,', '1.7,'))],
    expect: [err('invalid-epss-row', EPSS, '1.7'), at('feed-not-used', EPSS, 1, 1)],
  },
  {
    name: 'findings-host-mismatch',
    description: 'findings about one host saved under another host name',
    edits: [put('advisories/findings/fra-web-02.json', FINDINGS.replace('HOST', 'fra-web-01'))],
    expect: [err('findings-host-mismatch', 'advisories/findings/fra-web-02.json', '"fra-web-01"')],
  },
  {
    name: 'findings-invalid',
    description: 'a findings file with a severity patchctl does not know',
    edits: [
      put(
        'advisories/findings/fra-web-01.json',
        FINDINGS.replace('HOST', 'fra-web-01').replace('"high"', '"urgent"'),
      ),
    ],
    expect: [err('invalid-findings', 'advisories/findings/fra-web-01.json', '"urgent"')],
  },
  {
    name: 'sync-manifest-invalid',
    description: 'a sync manifest whose fetchedAt is not an instant',
    edits: [
      put(SYNC, syncManifest('kev', 'kev.json', KEV_SHA256).replace('2026-11-30T06:00:00Z', 'yesterday')),
    ],
    expect: [err('invalid-sync', SYNC, '"yesterday"')],
  },
];

const pathCases: BadInputCase[] = [
  {
    name: 'path-inventory-parent',
    description: 'paths.inventory: ../inventory',
    edits: [sub(CONFIG, '    inventory: inventory', '    inventory: ../inventory')],
    expect: [err('path-outside-repository', CONFIG, '../inventory')],
  },
  {
    name: 'path-advisories-absolute',
    description: 'paths.advisories: /etc',
    edits: [sub(CONFIG, '    advisories: advisories', '    advisories: /etc')],
    expect: [err('path-outside-repository', CONFIG, '/etc')],
  },
  {
    name: 'path-reports-windows-drive',
    description: 'paths.reports: C:\\reports',
    edits: [sub(CONFIG, '    reports: reports', '    reports: C:\\reports')],
    expect: [err('path-outside-repository', CONFIG, 'C:\\reports')],
  },
  {
    name: 'path-state-climbs-out',
    description: 'paths.state: state/../../state',
    edits: [sub(CONFIG, '    state: state', '    state: state/../../state')],
    expect: [err('path-outside-repository', CONFIG, 'state/../../state')],
  },
  {
    name: 'path-known-hosts-parent',
    description: 'paths.knownHosts: ../known_hosts',
    edits: [sub(CONFIG, '    knownHosts: known_hosts', '    knownHosts: ../known_hosts')],
    expect: [err('path-outside-repository', CONFIG, '../known_hosts')],
  },
  {
    name: 'path-windows-backslashes',
    description: 'paths.windows: ..\\..\\windows',
    edits: [sub(CONFIG, '    windows: windows', '    windows: ..\\..\\windows')],
    expect: [err('path-outside-repository', CONFIG, '..\\..\\windows')],
  },
];

/** Real inventories from other tools, dropped into inventory/ as if they were patchctl's. */
const realInventoryCases: BadInputCase[] = [
  {
    name: 'real-ansible-yaml-invalid-sample',
    description: "ansible-core's invalid sample (a float as a variable key) as inventory/ansible.yaml",
    edits: [put('inventory/ansible.yaml', real('ansible-inventory_files_invalid_sample.yml'))],
    expect: [at('ansible-inventory-file', 'inventory/ansible.yaml', 1, 1)],
  },
  {
    name: 'real-ansible-yaml-int-hostname',
    description: "ansible-core's inventory with an integer host name as inventory/kids.yaml",
    edits: [put('inventory/kids.yaml', real('inventory_yaml_test_int_hostname.yml'))],
    expect: [at('ansible-inventory-file', 'inventory/kids.yaml', 1, 1)],
  },
  {
    name: 'real-ansible-yaml-unicode-host',
    description: "ansible-core's inventory with a non-ASCII host as inventory/unicode.yaml",
    edits: [put('inventory/unicode.yaml', real('ansible-inventory_files_unicode.yml'))],
    expect: [at('ansible-inventory-file', 'inventory/unicode.yaml', 1, 1)],
  },
  {
    name: 'real-ansible-ini-as-yaml',
    description: "ansible-core's INI inventory renamed to inventory/hosts.yaml (YAML reads it as one string)",
    edits: [put('inventory/hosts.yaml', real('inventory_ini_inventory.ini'))],
    expect: [at('not-a-document', 'inventory/hosts.yaml', 1, 1)],
  },
  {
    name: 'real-ansible-ini-groups-as-yaml',
    description: 'an INI inventory with [app] and [db] sections (ansible-for-devops) renamed .yaml',
    edits: [put('inventory/hosts.yaml', real('orchestration_hosts.ini'))],
    expect: [
      err('yaml-syntax', 'inventory/hosts.yaml', '192.168.56.4'),
      err('yaml-syntax', 'inventory/hosts.yaml', '[multi:vars]'),
    ],
  },
  {
    name: 'yaml-error-shifts-later-documents',
    description:
      'a stray * before the first comment breaks the first Group; the next documents must keep their lines',
    edits: [
      sub(ROLES, '# Groups by role', '*# Groups by role'),
      sub(ROLES, '  groups: [web, db]', '  groups: [web, db, dbs]'),
    ],
    // "web" is still known (its name is read from the broken document): only "dbs" is unknown.
    expect: [err('unknown-group', ROLES, 'dbs]')],
  },
  {
    name: 'yaml-error-line-after-multiline-scalar',
    description:
      'a syntax error after a multi-line plain scalar and a comment (the first lines of an INI inventory)',
    edits: [
      put(
        'inventory/app.yaml',
        '# Application servers\n[app]\n192.168.56.4\n192.168.56.5\n\n# Database server\n[db]\n',
      ),
    ],
    expect: [err('yaml-syntax', 'inventory/app.yaml', '[db]')],
  },
  {
    name: 'real-openshift-inventory-as-yaml',
    description: "openshift-ansible's hosts.example (INI, host ranges) renamed .yaml",
    edits: [put('inventory/openshift.yaml', real('hosts.example'))],
    expect: [err('yaml-syntax', 'inventory/openshift.yaml', 'ose3-master[1:3].test.example.com\n\n[etcd]')],
  },
];

const warningCases: BadInputCase[] = [
  {
    name: 'yaml-unknown-directive',
    description: 'an unknown %FOO directive (a warning)',
    edits: [sub(SITES, '# One group per site, by label.\n', '%FOO bar\n---\n')],
    strict: true,
    expect: [{ ...at('yaml-warning', SITES, 1, 1), severity: 'warning' }],
  },
];

/**
 * The traps that leave a repository valid while patching silently stops (README "What validate warns about"):
 * warnings, asserted with --strict.
 */
const LAB_GROUP = doc('Group', 'lab', '  selector:\n    matchLabels:\n      site: lab\n');
const EMPTY_KEV = JSON.stringify({
  title: 'CISA Catalog of Known Exploited Vulnerabilities',
  catalogVersion: '2025.08.25',
  dateReleased: '2025-08-25T17:04:19.9796Z',
  count: 0,
  vulnerabilities: [],
});
const trapCases: BadInputCase[] = [
  {
    name: 'trap-policy-shadowed',
    description:
      'a higher-priority policy for every host and package takes over every update of a narrower one (a warning)',
    edits: [sub(BASELINE, '  rollout: standard', '  priority: 20\n  rollout: standard')],
    strict: true,
    expect: [warn('policy-shadowed', SECURITY, 'name: security-servers', 'security-servers')],
  },
  {
    name: 'trap-group-matches-no-host',
    description: 'a label typo empties a group, and the window for it (warnings)',
    edits: [sub(SITES, 'values: [nyc]', 'values: [nyk]')],
    strict: true,
    expect: [
      warn('group-matches-no-host', SITES, 'name: nyc', 'nyc'),
      warn('window-matches-no-host', NYC_WINDOW, 'groups:'),
    ],
  },
  {
    name: 'trap-ring-matches-no-host',
    description: 'a canary ring whose selector matches none of the hosts (a warning)',
    edits: [
      sub(ROLLOUT, '      groups: [canary]', '      selector:\n        matchLabels:\n          role: canary'),
    ],
    strict: true,
    expect: [warn('ring-matches-no-host', ROLLOUT, 'selector:')],
  },
  {
    name: 'trap-blackout-matches-no-host',
    description: 'a change freeze for an empty group holds nothing back (warnings)',
    edits: [put('groups/lab.yaml', LAB_GROUP), sub(FREEZE, '  groups: [servers]', '  groups: [lab]')],
    strict: true,
    expect: [
      warn('group-matches-no-host', 'groups/lab.yaml', 'name: lab', 'lab'),
      warn('blackout-matches-no-host', FREEZE, 'groups:'),
    ],
  },
  {
    name: 'trap-exception-matches-no-host',
    description: 'an exception for an empty group waives nothing (a warning)',
    edits: [put('groups/lab.yaml', LAB_GROUP), sub(EXCEPTION, '  hosts: [fra-db-01]', '  groups: [lab]')],
    strict: true,
    expect: [warn('exception-matches-no-host', EXCEPTION, 'groups:')],
  },
  {
    name: 'trap-windows-cover-no-host',
    description: "a policy whose only window is for another site's hosts (a warning)",
    edits: [
      sub(BASELINE, '          values: [prod, staging]', '          values: [staging]'),
      sub(BASELINE, '  windows: [fra-patch-friday]', '  windows: [nyc-sunday]'),
    ],
    strict: true,
    expect: [warn('windows-cover-no-host', BASELINE, 'windows:')],
  },
  {
    name: 'trap-policy-without-windows',
    description: 'a policy without windows patches and reboots at any time (a warning)',
    edits: [sub(BASELINE, '  windows: [fra-patch-friday]\n', '')],
    strict: true,
    expect: [warn('policy-without-windows', BASELINE, 'name: baseline', 'baseline')],
  },
  {
    name: 'trap-window-30-february',
    description: 'a window on 30 February never opens (a warning)',
    edits: [sub(FRA_WINDOW, 'FREQ=MONTHLY;BYDAY=2TU;', 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;')],
    strict: true,
    expect: [warn('window-never-opens', FRA_WINDOW, 'FREQ=YEARLY')],
  },
  {
    name: 'trap-window-until-past',
    description: 'a window whose UNTIL is already past (a warning)',
    edits: [sub(FRA_WINDOW, 'BYMINUTE=0', 'BYMINUTE=0;UNTIL=20260101')],
    strict: true,
    expect: [warn('window-never-opens', FRA_WINDOW, 'FREQ=MONTHLY')],
  },
  {
    name: 'trap-window-cron-31-april',
    description: 'a cron window on 31 April never opens (a warning)',
    edits: [sub(NYC_WINDOW, 'cron: 0 2 * * 0', "cron: '0 2 31 4 *'")],
    strict: true,
    expect: [warn('window-never-opens', NYC_WINDOW, "'0 2 31 4 *'")],
  },
  {
    name: 'trap-advisory-file-unread',
    description:
      "CISA's KEV saved compressed (kev.csv.gz): patchctl reads .json and .csv feeds only (a warning)",
    edits: [put('advisories/kev.csv.gz', Buffer.from([0x1f, 0x8b, 0x08, 0x00]))],
    strict: true,
    expect: [{ ...at('advisory-file-unread', 'advisories/kev.csv.gz', 1, 1), severity: 'warning' }],
  },
  {
    name: 'trap-emergency-feed-is-epss',
    description: 'the emergency track names the EPSS scores, which list no advisory (a warning)',
    edits: [put(EPSS, EPSS_CSV), sub(SECURITY, '    feeds: [kev.json]', '    feeds: [epss.csv]')],
    strict: true,
    expect: [warn('emergency-feed-unread', SECURITY, 'epss.csv')],
  },
  {
    name: 'trap-feed-too-old',
    description: 'the KEV catalogue was released longer ago than advisories.maxAge (a warning)',
    edits: [sub(CONFIG, '    maxAge: 800d', '    maxAge: 7d')],
    strict: true,
    expect: [{ ...at('feed-too-old', KEV, 1, 1), severity: 'warning' }],
  },
  {
    name: 'trap-feed-modified',
    description: 'advisories/kev.json edited by hand since advisories sync fetched it (a warning)',
    edits: [put(SYNC, syncManifest('kev', 'kev.json', '0'.repeat(64)))],
    strict: true,
    expect: [{ ...at('feed-modified', KEV, 1, 1), severity: 'warning' }],
  },
  {
    name: 'trap-feed-missing',
    description: 'the sync manifest lists a feed that is no longer there (a warning)',
    edits: [put(SYNC, syncManifest('epss', 'epss.csv', KEV_SHA256))],
    strict: true,
    expect: [{ ...at('feed-missing', SYNC, 1, 1), severity: 'warning' }],
  },
  {
    name: 'trap-emergency-feed-empty',
    description: 'a KEV catalogue with no vulnerability in it (a warning)',
    edits: [put(KEV, EMPTY_KEV)],
    strict: true,
    expect: [warn('emergency-feed-empty', SECURITY, 'kev.json')],
  },
  {
    name: 'trap-host-over-winrm',
    description: 'a host over WinRM, which this version cannot drive (a warning)',
    edits: [sub(NYC, '      transport: ssh', '      transport: winrm')],
    strict: true,
    expect: [warn('undriven-hosts', NYC, 'winrm')],
  },
  {
    name: 'trap-host-os-alpine',
    description: 'an Alpine host: no package-manager driver yet (a warning)',
    edits: [sub(NYC, '      os: debian', '      os: alpine')],
    strict: true,
    expect: [warn('undriven-hosts', NYC, 'alpine')],
  },
  {
    name: 'trap-inventory-default-os-windows',
    description: 'an inventory of Windows hosts, by its defaults (a warning at the default)',
    edits: [sub(FRA, '    os: debian', '    os: windows')],
    strict: true,
    expect: [warn('undriven-hosts', FRA, 'windows')],
  },
  {
    name: 'trap-local-host-with-address',
    description: 'a host made local keeps its address and port, which are never read (a warning each)',
    edits: [sub(NYC, '      transport: ssh', '      transport: local')],
    strict: true,
    expect: [
      warn('local-host-setting-ignored', NYC, 'address: nyc-app-01.example.net', 'address'),
      warn('local-host-setting-ignored', NYC, 'port: 2200', 'port'),
    ],
  },
];

export const CASES: readonly BadInputCase[] = [
  ...yamlCases,
  ...envelopeCases,
  ...schemaCases,
  ...metacharCases,
  ...addressCases,
  ...uniquenessCases,
  ...referenceCases,
  ...cycleCases,
  ...ringCases,
  ...zoneCases,
  ...scheduleCases,
  ...exceptionCases,
  ...policyCases,
  ...pinCases,
  ...commandCases,
  ...advisoryCases,
  ...pathCases,
  ...realInventoryCases,
  ...warningCases,
  ...trapCases,
];
