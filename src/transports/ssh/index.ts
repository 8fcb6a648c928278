export { CredentialsError, loadCredentials, SshKeyring } from './credentials.js';
export type { CredentialOptions, Credentials, Environment, IdentityFileOption } from './credentials.js';
export { MAX_JUMP_HOSTS, parseJumpChain, parseJumpHost, parseJumpSpec } from './jump-host.js';
export type { JumpHost, JumpSpec } from './jump-host.js';
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
export { resolveRoute } from './route.js';
export type { Route, RouteHop, RouteInput, RouteSettings } from './route.js';
export { loadSshConfig, lookupSshConfig, parseSshConfig, SshConfigError } from './ssh-config.js';
export type { SshConfigFile, SshConfigHost, SshConfigIo } from './ssh-config.js';
export { expandPath, knownHostsSources, SshConfigCache, sshTransportOptions } from './settings.js';
export type { SshRunContext } from './settings.js';
export { SSH_DEFAULTS, SshTransport } from './ssh-transport.js';
export type { JumpHopOptions, SshTransportOptions } from './ssh-transport.js';
