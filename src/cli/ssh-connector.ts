// How scan and apply reach hosts: each host over the transport its inventory names, built by that
// transport's plug-in (src/transports/registry.ts). A plug-in sets up once per run what its hosts
// share (ssh: one known_hosts store and one keyring) and only when some host uses it.
import { transportOf } from '../core/model/driven.js';
import type { Repository, ResolvedHost } from '../core/model/repository.js';
import { InternalError } from '../errors.js';
import { batchOutput, batchParts, unbatch } from '../drivers/linux/index.js';
import { redactOutput } from '../platform/redact.js';
import type { HostTransportFactory } from '../transports/registry.js';
import { transportFor } from '../transports/registry.js';
import type { PinnedHostKey } from '../transports/ssh/index.js';
import type { CommandResult, Transport } from '../transports/types.js';
import type { VerboseOptions } from './verbose-transport.js';
import { verboseTransport } from './verbose-transport.js';

export interface ConnectorOptions {
  /** Pin first-seen host keys into the repository's known_hosts (scan only; apply never does). */
  acceptNewHostKeys: boolean;
  onHostKeyPinned?: (pinned: PinnedHostKey) => void;
  /** `-v`: each remote command as it runs, redacted (verbose-transport.ts). */
  verbose?: VerboseOptions;
}

/**
 * Opens each host's transport through the registry, its output redacted as it arrives. scan and
 * apply refuse a host whose transport is not registered (`unsupported`) before they connect, so
 * reaching one here is a bug.
 */
export async function hostConnector(
  dir: string,
  repository: Repository,
  env: Readonly<Record<string, string | undefined>>,
  options: ConnectorOptions,
): Promise<(host: ResolvedHost) => Transport> {
  const factories = new Map<string, HostTransportFactory>();
  for (const id of new Set(repository.hosts.map((h) => transportOf(h)))) {
    const plugin = transportFor(id);
    if (plugin === undefined) continue;
    factories.set(
      id,
      await plugin.prepare({
        dir,
        repository,
        env,
        acceptNewHostKeys: options.acceptNewHostKeys,
        ...(options.onHostKeyPinned ? { onHostKeyPinned: options.onHostKeyPinned } : {}),
      }),
    );
  }
  return (h) => {
    const id = transportOf(h);
    const open = factories.get(id);
    if (open === undefined) throw new InternalError(`${h.name}: transport ${id} has no registered plug-in`);
    const t = redactingTransport(open(h));
    return options.verbose ? verboseTransport(t, options.verbose) : t;
  };
}

/** The name scan and apply know it by (it once made ssh transports only). */
export const sshConnector = hostConnector;

/**
 * `t` with what the host prints redacted as it arrives (docs/security.md, "Secrets"), besides at
 * every output: patchctl quotes host text in its messages (JSON.stringify) and stores them in
 * JSON, so a secret the host printed already escaped (a JSON log line holding JSON) would reach
 * an output escaped more times than the redaction layer looks for.
 */
export function redactingTransport(t: Transport): Transport {
  // A batch's parts come base64-encoded (drivers/linux/batch.ts): each is decoded and redacted.
  const clean = (r: CommandResult): CommandResult => {
    const stdout = redactOutput(r.stdout);
    const stderr = redactOutput(r.stderr);
    return stdout === r.stdout && stderr === r.stderr ? r : { ...r, stdout, stderr };
  };
  const hold = t.hold?.bind(t);
  return {
    id: t.id,
    host: t.host,
    ...(t.canReboot === undefined ? {} : { canReboot: t.canReboot }),
    run: async (cmd, options) => {
      const out = await t.run(cmd, options);
      const parts = batchParts(cmd.argv);
      return parts === undefined ? clean(out) : cleanBatch(out, parts.length, clean);
    },
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

/**
 * A batch's output with each command's output redacted. Output that is not a readable batch is
 * not passed on at all (its encoded text could carry a secret past the redaction): what reads it
 * then fails on the missing end marker, with the batch's stderr, redacted, to say why.
 */
function cleanBatch(
  out: CommandResult,
  count: number,
  clean: (r: CommandResult) => CommandResult,
): CommandResult {
  try {
    const parts = unbatch(out, count).map(clean);
    return { ...out, stdout: batchOutput(parts), stderr: redactOutput(out.stderr) };
  } catch {
    return { ...out, stdout: '', stderr: redactOutput(out.stderr) };
  }
}
