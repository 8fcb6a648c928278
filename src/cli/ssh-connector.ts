// How scan and apply reach hosts: one known_hosts store and one keyring for the whole run, and
// an ssh transport per host from the Config's ssh settings.
import type { Repository, ResolvedHost } from '../core/model/repository.js';
import { CONFIG_DEFAULTS, configSpec } from '../core/model/repository.js';
import { redactOutput } from '../platform/redact.js';
import type { PinnedHostKey } from '../transports/ssh/index.js';
import {
  KnownHostsStore,
  SshKeyring,
  SshTransport,
  knownHostsSources,
  sshTransportOptions,
} from '../transports/ssh/index.js';
import type { CommandResult, Transport } from '../transports/types.js';

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
    redactingTransport(
      new SshTransport(
        sshTransportOptions(spec.ssh, h, {
          repoDir: dir,
          knownHosts,
          keyring,
          acceptNewHostKeys: options.acceptNewHostKeys,
          ...(options.onHostKeyPinned ? { onHostKeyPinned: options.onHostKeyPinned } : {}),
        }),
      ),
    );
}

/**
 * `t` with what the host prints redacted as it arrives (docs/security.md, "Secrets"), besides at
 * every output: patchctl quotes host text in its messages (JSON.stringify) and stores them in
 * JSON, so a secret the host printed already escaped (a JSON log line holding JSON) would reach
 * an output escaped more times than the redaction layer looks for.
 */
export function redactingTransport(t: Transport): Transport {
  const clean = (r: CommandResult): CommandResult => {
    const stdout = redactOutput(r.stdout);
    const stderr = redactOutput(r.stderr);
    return stdout === r.stdout && stderr === r.stderr ? r : { ...r, stdout, stderr };
  };
  const hold = t.hold?.bind(t);
  return {
    id: t.id,
    host: t.host,
    run: async (cmd, options) => clean(await t.run(cmd, options)),
    ...(hold
      ? {
          hold: async (cmd, options) => {
            const outcome = await hold(cmd, options);
            return outcome.held ? outcome : { held: false, result: clean(outcome.result) };
          },
        }
      : {}),
    close: () => t.close(),
  };
}
