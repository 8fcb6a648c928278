// /etc/apk/world (apk-world(5)): one constraint per line (older apk: separated by spaces),
// `name{@tag}{[<>~=]version}`, or `!name` (a conflict). The holds are the constraints that stop
// some upgrade of an installed package.
import type { ParseResult } from '../../core/schedule/result.js';
import { APK_NAME, isApkVersion, sortedUnique, splitLines } from './common.js';

export type WorldOperator = '=' | '<' | '<=' | '>' | '>=' | '~' | '<~' | '>~';

export interface WorldConstraint {
  name: string;
  /** `@tag`: packages may also come from the repository tagged so (a repository pin, not a hold). */
  tag?: string;
  op?: WorldOperator;
  version?: string;
  /** `!name`: the package must not be installed. */
  conflict: boolean;
  /** The constraint as written. */
  text: string;
}

const CONSTRAINT = /^(!)?([^@<>=~!\s]+)(?:@([A-Za-z0-9_.+-]+))?(?:(<=|>=|<~|>~|=~|==|<|>|=|~)(\S+))?$/;

/** Operators that put an upper bound on the version: such a constraint holds a package back. */
const HOLDING: ReadonlySet<WorldOperator> = new Set<WorldOperator>(['=', '<', '<=', '~', '<~']);

function operator(op: string): WorldOperator | undefined {
  if (op === '==') return '=';
  if (op === '=~') return '~';
  return ['=', '<', '<=', '>', '>=', '~', '<~', '>~'].includes(op) ? (op as WorldOperator) : undefined;
}

export function parseWorldConstraint(text: string): ParseResult<WorldConstraint> {
  const m = CONSTRAINT.exec(text);
  const name = m?.[2] ?? '';
  if (m === null || !APK_NAME.test(name)) {
    return { ok: false, message: `${JSON.stringify(text.slice(0, 200))} is not an apk world constraint` };
  }
  const c: WorldConstraint = { name, conflict: m[1] === '!', text };
  if (m[3] !== undefined) c.tag = m[3];
  if (m[4] !== undefined) {
    const op = operator(m[4]);
    const version = m[5] ?? '';
    if (op === undefined || !isApkVersion(version)) {
      return { ok: false, message: `${JSON.stringify(text.slice(0, 200))}: invalid version constraint` };
    }
    c.op = op;
    c.version = version;
  }
  return { ok: true, value: c };
}

export interface World {
  constraints: WorldConstraint[];
  /** Entries apk would refuse too; listed, never guessed at. */
  invalid: string[];
}

export function parseWorld(text: string): World {
  const constraints: WorldConstraint[] = [];
  const invalid: string[] = [];
  for (const line of splitLines(text)) {
    for (const word of line.trim().split(/\s+/)) {
      if (word === '') continue;
      const c = parseWorldConstraint(word);
      if (c.ok) constraints.push(c.value);
      else invalid.push(word.slice(0, 200));
    }
  }
  return { constraints, invalid };
}

/**
 * Held packages: names whose world constraint has an upper bound (`=`, `<`, `<=`, `~`, `<~`).
 * A `~1.2` pin still allows 1.2.x upgrades: it is reported as held anyway (patchctl never edits
 * world, and apk would refuse any candidate outside the prefix). `>`/`>=`/`>~` and `@tag` alone
 * hold nothing back.
 */
export function heldFromWorld(world: World): string[] {
  return sortedUnique(
    world.constraints
      .filter((c) => !c.conflict && c.op !== undefined && HOLDING.has(c.op))
      .map((c) => c.name),
  );
}
