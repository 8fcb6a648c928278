// zypper's exit statuses (zypper(8), "EXIT CODES"; src/zypper-main.h). Below 100 an error, from 100
// information, 0 a plain success. Verified on this machine: 0, 4, 6, 7, 8, 100–104, 106, 107
// (readme.md, "Verified").
export interface ZypperExit {
  code: number;
  /** The name in zypper-main.h, or `UNKNOWN`. */
  name: string;
  /** The command did what it was asked (possibly with something to do next). */
  success: boolean;
  /** 102: a patch or package that wants a reboot was installed. */
  rebootNeeded: boolean;
  /** 103: the package manager updated itself; run the command again for the rest. */
  packageManagerRestart: boolean;
}

const CODES: ReadonlyMap<number, { name: string; success: boolean }> = new Map([
  [0, { name: 'ZYPPER_EXIT_OK', success: true }],
  [1, { name: 'ZYPPER_EXIT_ERR_BUG', success: false }],
  [2, { name: 'ZYPPER_EXIT_ERR_SYNTAX', success: false }],
  [3, { name: 'ZYPPER_EXIT_ERR_INVALID_ARGS', success: false }],
  [4, { name: 'ZYPPER_EXIT_ERR_ZYPP', success: false }],
  [5, { name: 'ZYPPER_EXIT_ERR_PRIVILEGES', success: false }],
  [6, { name: 'ZYPPER_EXIT_NO_REPOS', success: false }],
  [7, { name: 'ZYPPER_EXIT_ZYPP_LOCKED', success: false }],
  [8, { name: 'ZYPPER_EXIT_ERR_COMMIT', success: false }],
  [100, { name: 'ZYPPER_EXIT_INF_UPDATE_NEEDED', success: true }],
  [101, { name: 'ZYPPER_EXIT_INF_SEC_UPDATE_NEEDED', success: true }],
  [102, { name: 'ZYPPER_EXIT_INF_REBOOT_NEEDED', success: true }],
  [103, { name: 'ZYPPER_EXIT_INF_RESTART_NEEDED', success: true }],
  [104, { name: 'ZYPPER_EXIT_INF_CAP_NOT_FOUND', success: false }],
  [105, { name: 'ZYPPER_EXIT_ON_SIGNAL', success: false }],
  [106, { name: 'ZYPPER_EXIT_INF_REPOS_SKIPPED', success: false }],
  // "Installation basically succeeded, but some of the packages %post install scripts returned an
  // error": patchctl counts it as a failure (readme.md, "Install").
  [107, { name: 'ZYPPER_EXIT_INF_RPM_SCRIPT_FAILED', success: false }],
]);

export function zypperExit(code: number): ZypperExit {
  const known = CODES.get(code);
  return {
    code,
    name: known?.name ?? 'UNKNOWN',
    success: known?.success ?? false,
    rebootNeeded: code === 102,
    packageManagerRestart: code === 103,
  };
}
