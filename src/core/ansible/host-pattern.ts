/**
 * Ansible's host patterns: `web-[01:20]`, `db-[a:f]`, `[1:10:2]` strides, several ranges in one
 * name, and an optional `:port` (`[::1]:2222` for IPv6), as parse_address and
 * expand_hostname_range do it (docs/import-ansible.md, "Host patterns").
 */

const BRACKETED_HOSTPORT = /^\[(.+)\]:([0-9]+)$/;
const HOSTPORT = /^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$/;

const NUMERIC_RANGE = String.raw`\[(?:[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const HEX_RANGE = String.raw`\[(?:[0-9a-f]+:[0-9a-f]+)(?::[0-9]+)?\]`;
const ALNUM_RANGE = String.raw`\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const IPV6_C = `(?:[0-9a-f]{1,4}|${HEX_RANGE})`;
const IPV4_C = `(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|${NUMERIC_RANGE})`;
const LABEL = String.raw`(?:[\p{L}\p{N}_]|${ALNUM_RANGE})(?:[\p{L}\p{N}_-]|${ALNUM_RANGE})*(?<![_-])`;

const IPV4 = new RegExp(`^(?:${IPV4_C}\\.){3}${IPV4_C}$`, 'i');
const IPV6 = new RegExp(
  '^(?:' +
    [
      `(?:${IPV6_C}:){7}${IPV6_C}`,
      `(?:${IPV6_C}:){1,6}:`,
      `(?:${IPV6_C}:)(?::${IPV6_C}){1,6}`,
      `(?:${IPV6_C}:){2}(?::${IPV6_C}){1,5}`,
      `(?:${IPV6_C}:){3}(?::${IPV6_C}){1,4}`,
      `(?:${IPV6_C}:){4}(?::${IPV6_C}){1,3}`,
      `(?:${IPV6_C}:){5}(?::${IPV6_C}){1,2}`,
      `(?:${IPV6_C}:){6}(?::${IPV6_C})`,
      `:(?::${IPV6_C}){1,6}`,
      `${IPV6_C}?::`,
      `(?:0:){6}(?:${IPV6_C}\\.){3}${IPV6_C}`,
      `::(?:ffff:)?(?:${IPV6_C}\\.){3}${IPV6_C}`,
      `(?:0:){5}ffff:(?:${IPV6_C}\\.){3}${IPV6_C}`,
    ].join('|') +
    ')$',
  'i',
);
const HOSTNAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`, 'iu');

export interface HostPattern {
  hosts: string[];
  port: number | undefined;
}

/** Expands one host pattern; throws an Error with Ansible's message for a bad range. */
export function expandHostPattern(text: string): HostPattern {
  let pattern = text;
  let port: number | undefined;
  const parsed = parseAddress(text);
  if (parsed) ({ host: pattern, port } = parsed);
  const hosts = pattern.includes('[') ? expandRange(pattern, { left: MAX_HOSTS }) : [pattern];
  return { hosts, port };
}

/** parse_address(allow_ranges=True); undefined when Ansible would not recognise it. */
function parseAddress(address: string): { host: string; port: number | undefined } | undefined {
  let a = address;
  let port: number | undefined;
  for (const re of [BRACKETED_HOSTPORT, HOSTPORT]) {
    const m = re.exec(a);
    if (m) {
      a = m[1]!;
      port = Number(m[2]);
    }
  }
  if (IPV4.test(a) || IPV6.test(a) || HOSTNAME.test(a)) return { host: a, port };
  return undefined;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** More hosts than this from one pattern is a typo (`[0:9999999]`), not a fleet. */
const MAX_HOSTS = 100_000;

/** expand_hostname_range: the first `[...]` expanded, then the rest recursively. */
function expandRange(line: string, budget: { left: number }): string[] {
  const open = line.indexOf('[');
  const close = line.indexOf(']');
  if (close < 0 || close < open) throw new Error(`host range in ${JSON.stringify(line)} has no closing ']'`);
  const head = line.slice(0, open);
  const nrange = line.slice(open + 1, close);
  const tail = line.slice(close + 1);
  const bounds = nrange.split(':');
  if (bounds.length !== 2 && bounds.length !== 3)
    throw new Error('host range must be begin:end or begin:end:step');
  const beg = bounds[0] === '' ? '0' : bounds[0]!;
  const end = bounds[1]!;
  const stepText = bounds[2] ?? '1';
  if (end === '') throw new Error('host range must specify end value');
  let fill = (x: string | number) => String(x);
  if (beg.startsWith('0') && beg.length > 1) {
    if (beg.length !== end.length)
      throw new Error('host range must specify equal-length begin and end formats');
    fill = (x) => String(x).padStart(beg.length, '0');
  }
  const step = pythonInt(stepText);
  if (step === undefined || step === 0)
    throw new Error(`host range step ${JSON.stringify(stepText)} is not a non-zero integer`);
  const seq: string[] = [];
  const iBeg = LETTERS.indexOf(beg);
  const iEnd = LETTERS.indexOf(end);
  if (beg.length === 1 && end.length === 1 && iBeg >= 0 && iEnd >= 0) {
    if (iBeg > iEnd) throw new Error('host range must have begin <= end');
    const letters = LETTERS.slice(iBeg, iEnd + 1);
    if (step < 0) throw new Error('host range step must be positive');
    for (let i = 0; i < letters.length; i += step) seq.push(letters[i]!);
  } else {
    const b = pythonInt(beg);
    const e = pythonInt(end);
    if (b === undefined || e === undefined) {
      throw new Error(`host range [${nrange}] must be numbers or single letters`);
    }
    if (Math.abs((e - b) / step) > MAX_HOSTS)
      throw new Error(`host range expands to more than ${MAX_HOSTS} hosts`);
    if (step > 0) for (let i = b; i <= e; i += step) seq.push(fill(i));
    else for (let i = b; i > e + 1; i += step) seq.push(fill(i)); // Python's range(b, e + 1, step)
  }
  const out: string[] = [];
  for (const r of seq) {
    const name = `${head}${r}${tail}`;
    if (name.includes('[')) out.push(...expandRange(name, budget));
    else {
      if (--budget.left < 0) throw new Error(`host range expands to more than ${MAX_HOSTS} hosts`);
      out.push(name);
    }
  }
  return out;
}

/** Python's int() on a range bound: optional sign, digits, underscores between digits. */
function pythonInt(text: string): number | undefined {
  const t = text.trim();
  if (!/^[+-]?[0-9](?:_?[0-9])*$/.test(t)) return undefined;
  return Number(t.replace(/_/g, ''));
}
