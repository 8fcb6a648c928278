// The documents of a patchctl repository (README.md, "The repository"). The JSON Schemas in schemas/ are the
// precise statement of what is accepted; these types mirror them for the code that reads the
// documents after validation.

export const API_VERSION = 'patchctl/v1';

export type Kind =
  | 'Config'
  | 'Inventory'
  | 'Group'
  | 'Rollout'
  | 'MaintenanceWindow'
  | 'Blackout'
  | 'PatchPolicy'
  | 'PatchException';

export const KINDS: readonly Kind[] = [
  'Config',
  'Inventory',
  'Group',
  'Rollout',
  'MaintenanceWindow',
  'Blackout',
  'PatchPolicy',
  'PatchException',
];

/** A duration string: one or more `<number><unit>` parts, unit in s, m, h, d, w (`90m`, `1d12h`). */
export type DurationText = string;

export interface Metadata {
  name: string;
  description?: string;
  labels?: Record<string, string>;
}

export interface DocumentBase<K extends Kind, S> {
  apiVersion: typeof API_VERSION;
  kind: K;
  metadata: Metadata;
  spec: S;
}

// ---------------------------------------------------------------- Config

export interface SshSettings {
  user?: string;
  port?: number;
  /** Path of a private key file on the controller (never the key itself). */
  identityFile?: string;
  /** Name of the environment variable that holds the key's passphrase. */
  passphraseEnv?: string;
  useAgent?: boolean;
  /** Run remote commands through `sudo -n`. */
  sudo?: boolean;
  connectTimeout?: DurationText;
  commandTimeout?: DurationText;
  keepaliveInterval?: DurationText;
  /** `[user@]host[:port]` of a bastion. */
  jumpHost?: string;
  /** Also trust keys in the user's ~/.ssh/known_hosts (the repository file is always used). */
  useUserKnownHosts?: boolean;
  /** OpenSSH client config to read (docs/ssh.md); `none` for none. Default ~/.ssh/config if it exists. */
  configFile?: string;
}

export interface WinrmSettings {
  scheme?: 'https' | 'http';
  port?: number;
  auth?: 'ntlm' | 'basic';
  /** HTTP is refused unless this is true. */
  allowHttp?: boolean;
  userEnv?: string;
  passwordEnv?: string;
  /** CA bundle used to validate the hosts' certificates. */
  caFile?: string;
  operationTimeout?: DurationText;
}

export type Severity = 'critical' | 'high' | 'medium' | 'low';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

export interface RepositoryPaths {
  inventory?: string;
  groups?: string;
  rollouts?: string;
  windows?: string;
  policies?: string;
  exceptions?: string;
  advisories?: string;
  state?: string;
  reports?: string;
  knownHosts?: string;
}

export interface ConfigSpec {
  timezone?: string;
  concurrency?: number;
  ssh?: SshSettings;
  winrm?: WinrmSettings;
  /** `unknown`: the deadline of security updates whose severity nobody states. */
  sla?: Partial<Record<Severity | 'unknown', DurationText>>;
  advisories?: AdvisorySettings;
  exceptions?: { maxDuration?: DurationText };
  paths?: RepositoryPaths;
  git?: { authorName?: string; authorEmail?: string };
  /** Webhooks on apply and report events (docs/notifications.md). */
  notifications?: NotificationSettings;
}

/** The events a webhook can get (docs/notifications.md, "Events"). */
export type NotificationEventKind =
  'ring-halted' | 'host-failed' | 'reboot-timeout' | 'sla-breach' | 'exception-expiring';

export type WebhookFormat = 'json' | 'slack' | 'teams';

export interface WebhookSettings {
  name: string;
  /** NAME of the environment variable holding the URL (it carries a token: never in the repository). */
  urlEnv: string;
  format: WebhookFormat;
  /** Default: every event. */
  events?: NotificationEventKind[];
  minSeverity?: Severity;
}

export interface NotificationSettings {
  webhooks?: WebhookSettings[];
  /** One delivery attempt (default 10s). */
  timeout?: DurationText;
  /** Attempts after the first (default 3). */
  retries?: number;
  /** How long before an exception expires its notice is sent (default 14d). */
  exceptionExpiryNotice?: DurationText;
}

export type FeedKind = 'kev' | 'epss' | 'osv';

/** One feed `patchctl advisories sync` downloads (docs/vulnerabilities.md). */
export interface FeedSource {
  name: string;
  kind: FeedKind;
  url: string;
  sha256?: string;
  sha256Url?: string;
  /** For osv: the OSV ecosystems to keep (e.g. `Debian:12`). */
  ecosystems?: string[];
}

export interface AdvisorySettings {
  /** validate warns about a feed older than this. */
  maxAge?: DurationText;
  /** EPSS at or above this puts a CVE's update in the `epss` tier (default 0.1). */
  epssThreshold?: number;
  sources?: FeedSource[];
}

export type ConfigDocument = DocumentBase<'Config', ConfigSpec>;

// ---------------------------------------------------------------- Inventory

export type Transport = 'ssh' | 'winrm' | 'local';
export type OsHint =
  | 'debian'
  | 'ubuntu'
  | 'rhel'
  | 'almalinux'
  | 'rocky'
  | 'centos'
  | 'fedora'
  | 'amazon'
  | 'oracle'
  | 'sles'
  | 'opensuse'
  | 'alpine'
  | 'windows';

export interface HostSettings {
  port?: number;
  transport?: Transport;
  os?: OsHint;
  user?: string;
  timezone?: string;
  /** `[user@]host[:port]`, or a ProxyJump chain `a,b` of them (docs/ssh.md). */
  jumpHost?: string;
  /** OpenSSH client config for these hosts, over the Config's `ssh.configFile`; `none` for none. */
  sshConfig?: string;
  /** Private key tried first for these hosts (a path; docs/ssh.md). */
  identityFile?: string;
  labels?: Record<string, string>;
}

export interface InventoryHost extends HostSettings {
  name: string;
  address?: string;
}

export interface InventorySpec {
  /** Applied to every host of this inventory; a host's own values win, labels are merged. */
  defaults?: HostSettings;
  hosts: InventoryHost[];
}

export type InventoryDocument = DocumentBase<'Inventory', InventorySpec>;

// ---------------------------------------------------------------- Group

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface MatchExpression {
  key: string;
  operator: SelectorOperator;
  values?: string[];
}

export interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: MatchExpression[];
}

export interface GroupSpec {
  selector?: Selector;
  hosts?: string[];
  /** Other groups whose members belong to this one too. */
  groups?: string[];
  /** Hosts never in this group, whatever else says so. */
  exclude?: string[];
  /** Groups whose members are never in this group. */
  excludeGroups?: string[];
}

export type GroupDocument = DocumentBase<'Group', GroupSpec>;

// ---------------------------------------------------------------- Rollout

/** A number of hosts, or a percentage of the ring's hosts as `"25%"`. */
export type CountOrPercent = number | string;

export interface FailureBudget {
  maxFailed?: number;
  maxFailedPercent?: number;
}

export interface HealthCheck {
  /** Argument vector run on the host; never a shell string. */
  command: string[];
  timeout?: DurationText;
  /** How often to retry before the check counts as failed. */
  retries?: number;
  interval?: DurationText;
}

export interface Ring {
  name: string;
  description?: string;
  groups?: string[];
  selector?: Selector;
  /** Share of the hosts no earlier ring and no group/selector ring took, by stable hash. */
  percent?: number;
  /** Every host of the rollout that no other ring took. */
  rest?: boolean;
  maxParallel?: CountOrPercent;
  failureBudget?: FailureBudget;
  bakeTime?: DurationText;
  healthCheck?: HealthCheck;
}

export interface RolloutSpec {
  /** Groups whose hosts this rollout covers; all hosts when absent. */
  appliesTo?: string[];
  rings: Ring[];
}

export type RolloutDocument = DocumentBase<'Rollout', RolloutSpec>;

// ---------------------------------------------------------------- Windows

export interface MaintenanceWindowSpec {
  timezone: string;
  /** RFC 5545 recurrence rule, e.g. `FREQ=MONTHLY;BYDAY=2TU;BYHOUR=22;BYMINUTE=0`. */
  rrule?: string;
  /** Five-field cron expression (minute hour day-of-month month day-of-week). */
  cron?: string;
  /** Shift applied to every occurrence, e.g. `3d` for "second Tuesday + 3 days". */
  offset?: DurationText;
  duration: DurationText;
  /** No new host starts this close to the end of the window. */
  cutoff?: DurationText;
  groups: string[];
}

export type MaintenanceWindowDocument = DocumentBase<'MaintenanceWindow', MaintenanceWindowSpec>;

export interface BlackoutSpec {
  timezone?: string;
  /** A fixed period: ISO 8601 local date-times (in `timezone`) or instants with an offset. */
  start?: string;
  end?: string;
  /** Or a recurring period. */
  rrule?: string;
  cron?: string;
  duration?: DurationText;
  /** Groups the freeze applies to; every host when absent. */
  groups?: string[];
  reason?: string;
}

export type BlackoutDocument = DocumentBase<'Blackout', BlackoutSpec>;

// ---------------------------------------------------------------- PatchPolicy

export type Classification = 'security' | 'bugfix' | 'enhancement' | 'all';
export type RebootMode = 'never' | 'ifRequired' | 'always';

export interface PackagePin {
  /** Package name or glob (`openssl`, `linux-image-*`). */
  package: string;
  /** Version constraint in the package's ecosystem: `<3.1`, `>=1.2 <2`, `=3.0.15-1~deb12u1`. */
  version: string;
}

export interface Hooks {
  pre?: HookCommand[];
  post?: HookCommand[];
  healthCheck?: HealthCheck;
}

export interface HookCommand {
  command: string[];
  timeout?: DurationText;
  /** Fail the host when the hook fails (default true). */
  required?: boolean;
}

export interface EmergencyTrack {
  enabled?: boolean;
  /** Updates fixing an advisory listed in these feeds (under advisories/) take the track. */
  feeds?: string[];
  /** Updates fixing a CVE with EPSS at or above the Config threshold take the track too. */
  epss?: boolean;
  skipApproval?: boolean;
  skipBakeTime?: boolean;
  /** Apply outside maintenance windows too. */
  ignoreWindows?: boolean;
}

export interface PatchPolicySpec {
  appliesTo: { groups?: string[]; selector?: Selector };
  /** Higher wins when several policies match a host. */
  priority?: number;
  rollout?: string;
  classification?: Classification[];
  minSeverity?: Severity;
  /** How minSeverity treats a security update of unknown severity (default include). */
  unknownSeverity?: 'include' | 'exclude' | Severity;
  approveAfter?: DurationText;
  include?: string[];
  exclude?: string[];
  pins?: PackagePin[];
  reboot?: RebootMode;
  /**
   * With `reboot: never`: the policies that may still reboot these hosts (for their own updates,
   * by their own `reboot` mode). Without it, a `reboot: never` policy that governs a whole host
   * (no `include`) wins over every other policy's reboot mode (core/plan/reboot-policy.ts).
   */
  allowRebootBy?: string[];
  windows?: string[];
  hooks?: Hooks;
  emergency?: EmergencyTrack;
}

export type PatchPolicyDocument = DocumentBase<'PatchPolicy', PatchPolicySpec>;

// ---------------------------------------------------------------- PatchException

export interface PatchExceptionSpec {
  hosts?: string[];
  groups?: string[];
  packages?: string[];
  advisories?: string[];
  reason: string;
  owner: string;
  ticket?: string;
  /** When the waiver was granted; its length is measured from here (and from `--at`). */
  created?: string;
  /** A date (`2026-12-31`: through the end of that day in the Config's zone) or an instant. */
  expires: string;
}

export type PatchExceptionDocument = DocumentBase<'PatchException', PatchExceptionSpec>;

// ---------------------------------------------------------------- together

export type PatchctlDocument =
  | ConfigDocument
  | InventoryDocument
  | GroupDocument
  | RolloutDocument
  | MaintenanceWindowDocument
  | BlackoutDocument
  | PatchPolicyDocument
  | PatchExceptionDocument;

export type DocumentOfKind<K extends Kind> = Extract<PatchctlDocument, { kind: K }>;
