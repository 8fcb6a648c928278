// `apt-get -s` (a simulation): the Inst and Remv lines, apt's summary line, the "The following …:"
// lists it prints before acting, and its E:/W: lines. Throws DriverOutputError on output it cannot read.
import { ARCH, fail, PKG_NAME, splitLines, splitQualified, VERSION } from './common.js';

/** One `Label:Version/Archive` of an Inst line (pkgCache::VerIterator::RelStr). */
export interface ReleaseRef {
  label?: string;
  version?: string;
  /** The suite, or the site (or `localhost`) when the index has no Release file. */
  archive: string;
}

export interface SimulatedInst {
  name: string;
  arch: string;
  /** The installed version; absent for a newly installed package. */
  from?: string;
  to: string;
  releases: ReleaseRef[];
}

export interface AptSummary {
  upgraded: number;
  newlyInstalled: number;
  downgraded: number;
  reinstalled: number;
  toRemove: number;
  notUpgraded: number;
}

export interface Simulation {
  insts: SimulatedInst[];
  removals: string[];
  /** The "The following …:" lists, by their heading without the colon. */
  lists: Map<string, string[]>;
  summary?: AptSummary;
  errors: string[];
  warnings: string[];
}

/** An Inst line: name[:arch], [installed version], (new version, release list, [arch]). */
export const INST = /^Inst (\S+)(?: \[([^\]]*)\])? \((\S+) (.*?)\[([^\]\s]*)\]\)(.*)$/;
const REMV = /^Remv (\S+)/;
const SUMMARY =
  /^(\d+) upgraded, (\d+) newly installed, (?:(\d+) downgraded, )?(?:(\d+) reinstalled, )?(\d+) to remove and (\d+) not upgraded\.$/;

export function parseReleaseRefs(relstr: string): ReleaseRef[] {
  return relstr
    .split(', ')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const m = /^(?:([^:/]+):)?(?:([^/]+)\/)?(.+)$/.exec(s);
      const ref: ReleaseRef = { archive: m?.[3] ?? s };
      if (m?.[1] !== undefined) ref.label = m[1];
      if (m?.[2] !== undefined) ref.version = m[2];
      return ref;
    });
}

/** The "The following …:" lists apt prints, each followed by indented package names. */
export function parseAptLists(lines: readonly string[]): Map<string, string[]> {
  const lists = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of lines) {
    if (current !== undefined && line.startsWith('  ')) {
      current.push(
        ...line
          .trim()
          .split(/\s+/)
          .filter((w) => w !== '' && w !== '|'),
      );
      continue;
    }
    current = undefined;
    const m = /^(The following [^:]*|Suggested packages|Recommended packages):$/.exec(line);
    if (m !== null) {
      current = [];
      lists.set(m[1] ?? '', current);
    }
  }
  return lists;
}

/** Output of `apt-get -s …` (stdout and stderr together). */
export function parseSimulation(text: string): Simulation {
  const lines = splitLines(text);
  const insts: SimulatedInst[] = [];
  const removals: string[] = [];
  const errors: string[] = [];
  const warnings: string[] = [];
  let summary: AptSummary | undefined;
  for (const line of lines) {
    if (line.startsWith('Inst ')) {
      const m = INST.exec(line);
      if (m === null)
        throw fail(`apt-get -s: unexpected Inst line ${JSON.stringify(line.slice(0, 200))}`, line);
      const q = splitQualified(m[1] ?? '');
      const to = m[3] ?? '';
      const arch = m[5] ?? '';
      if (!PKG_NAME.test(q.name) || !VERSION.test(to) || !ARCH.test(arch)) {
        throw fail(`apt-get -s: unexpected Inst line ${JSON.stringify(line.slice(0, 200))}`, line);
      }
      const inst: SimulatedInst = { name: q.name, arch, to, releases: parseReleaseRefs(m[4] ?? '') };
      if (m[2] !== undefined) inst.from = m[2];
      insts.push(inst);
    } else if (line.startsWith('Remv ')) {
      const m = REMV.exec(line);
      if (m !== null) removals.push(splitQualified(m[1] ?? '').name);
    } else if (line.startsWith('E: ')) {
      errors.push(line.slice(3));
    } else if (line.startsWith('W: ')) {
      warnings.push(line.slice(3));
    } else {
      const m = SUMMARY.exec(line);
      if (m !== null) {
        summary = {
          upgraded: Number(m[1]),
          newlyInstalled: Number(m[2]),
          downgraded: Number(m[3] ?? 0),
          reinstalled: Number(m[4] ?? 0),
          toRemove: Number(m[5]),
          notUpgraded: Number(m[6]),
        };
      }
    }
  }
  const sim: Simulation = { insts, removals, lists: parseAptLists(lines), errors, warnings };
  if (summary !== undefined) sim.summary = summary;
  return sim;
}

/** The simulation, checked to be complete: apt's own counts match the Inst lines it printed. */
export function checkedSimulation(text: string): Simulation {
  const sim = parseSimulation(text);
  if (sim.errors.length > 0) {
    throw fail(`apt-get -s failed: ${sim.errors.join(' / ')}`, text);
  }
  const s = sim.summary;
  if (s === undefined) throw fail('apt-get -s: no summary line ("N upgraded, N newly installed, …")', text);
  const announced = s.upgraded + s.newlyInstalled + s.downgraded + s.reinstalled;
  if (announced !== sim.insts.length) {
    throw fail(
      `apt-get -s: the summary announces ${announced} installs but the output has ${sim.insts.length} Inst lines (not a complete simulation)`,
      text,
    );
  }
  return sim;
}
