// Reading the Linux facts (scripts.ts LINUX_FACTS_BODY): os-release, kernel, boot id, the OS's
// reboot signal. Pure; shared by every Linux driver's parseFacts and by scan's probe
// (docs/adding-a-driver.md, "Registries").
import { DriverOutputError, excerptOf } from '../errors.js';
import { readSections, type Section } from '../sections.js';
import type { CommandResult, LinuxFacts, OsFacts } from '../types.js';

/** The sections LINUX_FACTS_BODY prints. */
export const LINUX_FACTS_SECTIONS = ['os-release', 'kernel', 'boot-id', 'reboot-required'] as const;

const splitLines = (text: string): string[] =>
  text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));

/** /etc/os-release (os-release(5)): KEY=value lines, values optionally quoted. */
export function parseOsRelease(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const raw of splitLines(text)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m === null) continue;
    fields.set(m[1] ?? '', unquoteShellValue(m[2] ?? ''));
  }
  return fields;
}

function unquoteShellValue(v: string): string {
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"'))
    return v.slice(1, -1).replace(/\\([$"\\`])/g, '$1');
  if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1);
  return v.replace(/\\(.)/g, '$1');
}

/** Known families by the os-release ID or ID_LIKE that names them, first match wins. */
const FAMILIES: readonly (readonly [family: string, names: readonly string[]])[] = [
  ['debian', ['debian', 'ubuntu']],
  ['rhel', ['rhel', 'centos', 'fedora', 'almalinux', 'rocky', 'ol', 'amzn']],
  ['suse', ['suse', 'sles', 'sled', 'opensuse', 'opensuse-leap', 'opensuse-tumbleweed']],
  ['alpine', ['alpine']],
];

/**
 * The family a host belongs to, for people and reports (`debian`, `rhel`, `suse`, `alpine`):
 * AlmaLinux's ID_LIKE "rhel centos fedora" is the RHEL family, not Fedora's. An OS patchctl
 * knows no family for keeps the last ID_LIKE entry (the most general), else its ID. Which driver
 * serves a host is decided from ID and ID_LIKE themselves (drivers/api.ts driverServing).
 */
export function familyOf(names: readonly string[]): string {
  const lower = names.map((n) => n.toLowerCase());
  for (const [family, members] of FAMILIES) if (lower.some((n) => members.includes(n))) return family;
  return lower.length > 1 ? (lower[lower.length - 1] ?? 'linux') : (lower[0] ?? 'linux');
}

export function osFactsFrom(fields: ReadonlyMap<string, string>): OsFacts {
  const id = fields.get('ID') ?? 'linux'; // os-release(5): ID defaults to "linux"
  const idLike = (fields.get('ID_LIKE') ?? '').split(/\s+/).filter((x) => x !== '');
  const codename = fields.get('VERSION_CODENAME');
  const prettyName = fields.get('PRETTY_NAME');
  const os: OsFacts = {
    family: familyOf([id, ...idLike]),
    id,
    version: osVersionFrom(fields),
    idLike,
  };
  if (codename !== undefined && codename !== '') os.codename = codename;
  if (prettyName !== undefined) os.prettyName = prettyName;
  return os;
}

/** What the host state keeps as an OS fact (schemas/host-state.schema.json `osToken`). */
const OS_TOKEN = /^[A-Za-z0-9][A-Za-z0-9._+~:-]{0,127}$/;

/** The version recorded when os-release names none at all (os-release(5): VERSION_ID is optional). */
export const UNKNOWN_OS_VERSION = 'unknown';

/**
 * The OS version: VERSION_ID; else VERSION_CODENAME (Debian testing and sid have no VERSION_ID);
 * else the codename of a PRETTY_NAME like "Debian GNU/Linux bookworm/sid" (testing before
 * base-files 12.3 had neither field: Debian then added VERSION_CODENAME=bookworm); else BUILD_ID
 * (rolling distributions: "rolling"); else "unknown". Values that are not one word of letters,
 * digits and `._+~:-` are passed over, so what is stored is always a valid state value.
 */
export function osVersionFrom(fields: ReadonlyMap<string, string>): string {
  const testing = /(?:^|\s)([a-z][a-z0-9]*)\/sid$/.exec(fields.get('PRETTY_NAME') ?? '')?.[1];
  const candidates = [
    fields.get('VERSION_ID'),
    fields.get('VERSION_CODENAME'),
    testing,
    fields.get('BUILD_ID'),
  ];
  return candidates.find((v) => v !== undefined && OS_TOKEN.test(v)) ?? UNKNOWN_OS_VERSION;
}

const BOOT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The Linux facts from a script's sections (LINUX_FACTS_SECTIONS must be among them). `driver`
 * names who reads them in a DriverOutputError; `stdout` is the excerpt.
 */
export function linuxFactsFrom(driver: string, s: ReadonlyMap<string, Section>, stdout: string): LinuxFacts {
  const fail = (message: string): DriverOutputError =>
    new DriverOutputError(driver, message, excerptOf(stdout));
  const fields = parseOsRelease(s.get('os-release')?.text ?? '');
  if (fields.size === 0) throw fail('facts: /etc/os-release is missing or empty');
  const kernel = s.get('kernel')?.text ?? '';
  if (!/^\S+$/.test(kernel)) throw fail(`facts: kernel release ${JSON.stringify(kernel)} is not one word`);
  const bootId = s.get('boot-id')?.text ?? '';
  if (!BOOT_ID.test(bootId)) throw fail(`facts: boot id ${JSON.stringify(bootId)} is not a UUID`);
  const flag = s.get('reboot-required')?.text;
  if (flag !== 'yes' && flag !== 'no')
    throw fail(`reboot-required is neither yes nor no: ${JSON.stringify(flag)}`);
  return { os: osFactsFrom(fields), kernel, bootId, rebootRequired: flag === 'yes' };
}

/** LINUX_FACTS_SCRIPT's output (or any driver facts script's: only the Linux sections are read). */
export function parseLinuxFacts(out: CommandResult): LinuxFacts {
  const s = readSections('linux', 'facts', out, LINUX_FACTS_SECTIONS);
  return linuxFactsFrom('linux', s, out.stdout);
}
