// How scan and apply reach hosts: one known_hosts store and one keyring for the whole run, and
// an ssh transport per host from the Config's ssh settings.
import type { Repository, ResolvedHost } from '../core/model/repository.js';
import { CONFIG_DEFAULTS, configSpec } from '../core/model/repository.js';
import type { PinnedHostKey } from '../transports/ssh/index.js';
import {
  KnownHostsStore,
  SshKeyring,
  SshTransport,
  knownHostsSources,
  sshTransportOptions,
} from '../transports/ssh/index.js';
import type { Transport } from '../transports/types.js';

export interface ConnectorOptions {
  /** Pin first-seen host keys into the repository's known_hosts (scan only; apply never does). */
  acceptNewHostKeys: boolean;
  onHostKeyPinned?: (pinned: PinnedHostKey) => void;
}

export async function sshConnector(
  dir: string,
  repository: Repository,
  env: Readonly<Record<string, string | undefined>>,
  options: ConnectorOptions,
): Promise<(host: ResolvedHost) => Transport> {
  const spec = configSpec(repository);
  const knownHosts = await KnownHostsStore.load(
    knownHostsSources(spec.ssh, dir, spec.paths?.knownHosts ?? CONFIG_DEFAULTS.paths.knownHosts),
  );
  const keyring = new SshKeyring(env);
  return (h) =>
    new SshTransport(
      sshTransportOptions(spec.ssh, h, {
        repoDir: dir,
        knownHosts,
        keyring,
        acceptNewHostKeys: options.acceptNewHostKeys,
        ...(options.onHostKeyPinned ? { onHostKeyPinned: options.onHostKeyPinned } : {}),
      }),
    );
}
