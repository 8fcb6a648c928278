export { CredentialsError, loadCredentials, SshKeyring } from './credentials.js';
export type { CredentialOptions, Credentials, Environment } from './credentials.js';
export { parseJumpHost } from './jump-host.js';
export type { JumpHost } from './jump-host.js';
export {
  entryMatches,
  fingerprint,
  formatKnownHostsLine,
  globMatch,
  HOST_KEY_ALGORITHMS,
  hostKeyNames,
  keyBlobType,
  lookupName,
  matchPatternList,
  parseKnownHosts,
  preferredAlgorithms,
} from './known-hosts.js';
export type {
  HostField,
  KnownHostsEntry,
  KnownHostsMarker,
  KnownHostsProblem,
  ParsedKnownHosts,
} from './known-hosts.js';
export { appendLineAtomically, KnownHostsStore } from './known-hosts-store.js';
export type { HostKeyDecision, KnownHostsSources, PinnedHostKey } from './known-hosts-store.js';
export { expandPath, knownHostsSources, sshTransportOptions } from './settings.js';
export type { SshRunContext } from './settings.js';
export { SSH_DEFAULTS, SshTransport } from './ssh-transport.js';
export type { SshTransportOptions } from './ssh-transport.js';
