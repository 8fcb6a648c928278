// A package-manager driver that is not apt, for engine tests (docs/adding-a-driver.md,
// "Registries"): it serves hosts whose os-release ID is `fakeos`, sends only `fake-pm ...`
// commands, and has its own OS steps (`fake-reboot`, `fake-lock`), so a test can show that the
// engine runs a host through whatever driver the plan names, and sends nothing of apt's.
// `scriptFakeHost` answers those commands on a FakeTransport like a small host would.
import type { PackageManagerId } from '../core/state/types.js';
import { DriverOutputError } from '../drivers/errors.js';
import { batchCommand, unbatch } from '../drivers/linux/batch.js';
import type {
  CommandResult,
  DriverId,
  HostFacts,
  Inventory,
  PackageDriver,
  PackageRef,
  Preflight,
  RemoteCommand,
  UpdateScan,
} from '../drivers/types.js';
import type { FakeTransport } from '../transports/fake/index.js';

/** The os-release ID of the hosts the fake driver serves. */
export const FAKE_OS_ID = 'fakeos';
/** The fake driver's id: not a package manager patchctl knows, only a name in engine tests. */
export const FAKE_DRIVER_ID = 'fake' as PackageManagerId as DriverId;

const cmd = (...argv: string[]): RemoteCommand => ({ argv: ['fake-pm', ...argv] });

/** The stdout of a `fake-pm` command: one JSON value; anything else is a DriverOutputError. */
function json<T>(what: string, out: CommandResult): T {
  try {
    if (out.exitCode !== 0) throw new Error(`exit status ${out.exitCode}`);
    return JSON.parse(out.stdout) as T;
  } catch (err) {
    throw new DriverOutputError(
      FAKE_DRIVER_ID,
      `${what}: ${(err as Error).message}`,
      out.stdout.slice(0, 400),
    );
  }
}

export const fakeDriver: PackageDriver = {
  id: FAKE_DRIVER_ID,
  shell: 'sh',
  ecosystem: 'rpm',
  serves: { osIds: [FAKE_OS_ID], osHints: [] },
  os: {
    reboot: () => ({ argv: ['fake-reboot'], sudo: true }),
    lock: {
      ready: 'fake-locked',
      take: (owner, runId) => ({ argv: ['fake-lock', 'take', runId, owner], sudo: true }),
      reserve: (owner, runId, seconds) => ({
        argv: ['fake-lock', 'reserve', runId, owner, String(seconds)],
        sudo: true,
      }),
      reserved: (out) => out.exitCode === 0 && out.stdout.trim() === 'reserved',
      failure: (out) => `fake lock refused: ${out.stdout.trim() || `exit ${out.exitCode}`}`,
    },
    // Several commands in one round trip: the Linux batch (the fake transport takes it apart).
    batch: batchCommand,
    unbatch,
  },
  facts: () => cmd('facts'),
  parseFacts: (out) => ({ ...json<HostFacts>('facts', out), rebootRequiredPackages: [] }),
  listInstalled: () => cmd('installed'),
  parseInstalled: (out) => ({
    held: [],
    notFullyInstalled: [],
    ...json<Pick<Inventory, 'installed'>>('installed', out),
  }),
  listUpdates: () => cmd('updates'),
  parseUpdateScan: (out) => json<UpdateScan>('updates', out),
  refresh: () => ({ ...cmd('refresh'), sudo: true }),
  parseRefresh: (out) => ({ ok: out.exitCode === 0, warnings: [] }),
  preflight: () => ({ ...cmd('preflight'), sudo: true }),
  parsePreflight: (out) => json<Preflight>('preflight', out),
  checkPreflight: (p) =>
    p.lockHolders.map((holder) => ({ kind: 'lock-held', message: `locked by ${holder.path}`, holder })),
  install: (pkgs: readonly PackageRef[]) => ({
    ...cmd('install', ...pkgs.map((p) => `${p.name}=${p.version}`)),
    sudo: true,
  }),
  parseInstall: (out) =>
    out.exitCode === 0
      ? { ok: true, changed: [], warnings: [] }
      : {
          ok: false,
          changed: [],
          warnings: [],
          failure: {
            kind: 'unknown',
            message: out.stderr.trim() || `exit ${out.exitCode}`,
            excerpt: out.stderr,
          },
        },
};

export interface ScriptedFakeHost {
  installed: Map<string, string>;
  /** Older versions of `*-kernel` packages, kept beside the new one as rpm keeps kernels. */
  kept: { name: string; version: string }[];
  bootId: string;
  reboots: number;
}

/**
 * Scripts `t` as a host of the fake driver with `installed` packages: installs change them, an
 * install of a package named `*-kernel` keeps the old version beside the new one (as rpm keeps
 * kernels) and asks for a reboot, `fake-reboot` gives a new boot id.
 */
export function scriptFakeHost(t: FakeTransport, installed: Record<string, string>): ScriptedFakeHost {
  const host: ScriptedFakeHost = {
    installed: new Map(Object.entries(installed)),
    kept: [],
    bootId: '00000000-0000-4000-8000-000000000000',
    reboots: 0,
  };
  let rebootRequired = false;
  const stdout = (value: unknown) => ({ stdout: `${JSON.stringify(value)}\n` });
  t.on(['fake-pm', 'facts'], () =>
    stdout({
      os: { family: FAKE_OS_ID, id: FAKE_OS_ID, version: '1', idLike: [] },
      kernel: '1.0-fake',
      bootId: host.bootId,
      rebootRequired,
    }),
  );
  t.on(['fake-pm', 'installed'], () =>
    stdout({
      installed: [...host.kept, ...[...host.installed].map(([name, version]) => ({ name, version }))].sort(
        (a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version),
      ),
      sideBySide: [...host.installed.keys()].filter((n) => n.endsWith('-kernel')),
    }),
  );
  t.on(['fake-pm', 'preflight'], () =>
    stdout({ lockHolders: [], interrupted: false, audit: [], freeSpace: [] }),
  );
  t.on(['fake-pm', 'install'], (c) => {
    for (const ref of c.argv.slice(2)) {
      const [name = '', version = ''] = ref.split('=');
      const old = host.installed.get(name);
      if (name.endsWith('-kernel') && old !== undefined) host.kept.push({ name, version: old });
      host.installed.set(name, version);
      if (name.endsWith('-kernel')) rebootRequired = true;
    }
    return {};
  });
  t.on(['fake-lock', 'take'], { stdout: 'fake-locked\n' });
  t.on(['fake-lock', 'reserve'], { stdout: 'reserved\n' });
  t.on(['fake-reboot'], () => {
    host.reboots++;
    host.bootId = `00000000-0000-4000-8000-${String(host.reboots).padStart(12, '0')}`;
    rebootRequired = false;
    return {};
  });
  return host;
}
