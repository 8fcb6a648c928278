// The transports, registered by hand beside the package-manager drivers (src/drivers/api.ts;
// docs/adding-a-driver.md, "Registries"). Each host is reached over the transport its inventory
// names (default ssh); a host whose transport has no plug-in here is `unsupported` in scan, plan
// and apply (core/model/driven.ts). `winrm` is not registered yet.
import type { ResolvedHost } from '../core/model/repository.js';
import { CONFIG_DEFAULTS, configSpec } from '../core/model/repository.js';
import type { Repository } from '../core/model/repository.js';
import type { PinnedHostKey } from './ssh/index.js';
import type { Transport, TransportId } from './types.js';

/** What a transport plug-in may read to set itself up for one run. */
export interface TransportSetup {
  /** The repository's directory. */
  dir: string;
  repository: Repository;
  env: Readonly<Record<string, string | undefined>>;
  /** Pin first-seen host keys into the repository's known_hosts (scan only; apply never does). */
  acceptNewHostKeys: boolean;
  onHostKeyPinned?: (pinned: PinnedHostKey) => void;
}

/** Opens one host's transport (no I/O until its first command). */
export type HostTransportFactory = (host: ResolvedHost) => Transport;

export interface TransportPlugin {
  readonly id: TransportId;
  /**
   * Reads what the transport shares across the hosts of one run (ssh: the known_hosts store and
   * the keyring), once, and returns how to open a host's transport.
   */
  prepare(setup: TransportSetup): Promise<HostTransportFactory>;
}

/** ssh: strict host keys from the repository's known_hosts (docs/security.md). */
const ssh: TransportPlugin = {
  id: 'ssh',
  async prepare(setup) {
    // Loaded on first use: the registry is read by commands that never connect (validate, plan).
    const {
      KnownHostsStore,
      SshConfigCache,
      SshKeyring,
      SshTransport,
      knownHostsSources,
      sshTransportOptions,
    } = await import('./ssh/index.js');
    const spec = configSpec(setup.repository);
    const knownHosts = await KnownHostsStore.load(
      knownHostsSources(spec.ssh, setup.dir, spec.paths?.knownHosts ?? CONFIG_DEFAULTS.paths.knownHosts),
    );
    const keyring = new SshKeyring(setup.env);
    const sshConfigs = new SshConfigCache(); // ~/.ssh/config and the like, read once (docs/ssh.md)
    return (h) =>
      new SshTransport(
        sshTransportOptions(spec.ssh, h, {
          repoDir: setup.dir,
          knownHosts,
          keyring,
          sshConfigs,
          acceptNewHostKeys: setup.acceptNewHostKeys,
          ...(setup.onHostKeyPinned ? { onHostKeyPinned: setup.onHostKeyPinned } : {}),
        }),
      );
  },
};

/**
 * local: the machine patchctl runs on, as the controller's own user; `sudo -n` only when that user
 * is not root (the Config's ssh settings are not read). Never rebooted by apply.
 */
const local: TransportPlugin = {
  id: 'local',
  async prepare() {
    const { LocalTransport } = await import('./local/index.js');
    return (h) => new LocalTransport({ host: h.name });
  },
};

export const transports: ReadonlyMap<string, TransportPlugin> = new Map<string, TransportPlugin>([
  ['ssh', ssh],
  ['local', local],
]);

/** The plug-in for a transport id, or undefined when this version has none for it yet. */
export function transportFor(id: string): TransportPlugin | undefined {
  return transports.get(id);
}

/** The registered transport ids, in registry order (core/model/driven.ts Driven.transports). */
export function registeredTransports(): string[] {
  return [...transports.keys()];
}
