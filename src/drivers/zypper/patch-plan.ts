// Which patches one install may take (readme.md, "Patches"). zypper's own `patch` skips interactive
// patches under --non-interactive with only a warning and exit 0 (captured), so patchctl never uses
// it: it installs patches by name, and decides here, explicitly, what happens to each.
import type { ZypperPatch } from './parse-patches.js';

export type WithheldReason = 'reboot-not-allowed' | 'interactive' | 'not-applicable';

export interface PatchInstallPlan {
  /** Package-manager patches first (zypper installs them alone and exits 103), then the rest, each sorted. */
  install: string[][];
  /** Patches patchctl will not install in this run, with why: reported, never dropped. */
  withheld: { name: string; reason: WithheldReason }[];
  /** Installing `install` may require a reboot (a patch with restart="true"). */
  rebootExpected: boolean;
}

/**
 * `allowReboot`: the plan may reboot the host. A patch that suggests a reboot is installed only then;
 * an interactive patch that is not a reboot one (a message or a licence to accept) is withheld
 * always: nobody can read or accept it in a non-interactive run.
 */
export function planPatchInstall(patches: readonly ZypperPatch[], allowReboot: boolean): PatchInstallPlan {
  const stack: string[] = [];
  const rest: string[] = [];
  const withheld: PatchInstallPlan['withheld'] = [];
  let rebootExpected = false;
  for (const p of patches) {
    if (p.status !== 'needed' && p.status !== 'optional') {
      withheld.push({ name: p.name, reason: 'not-applicable' });
    } else if (p.rebootSuggested && !allowReboot) {
      withheld.push({ name: p.name, reason: 'reboot-not-allowed' });
    } else if (p.interactive && !p.rebootSuggested) {
      withheld.push({ name: p.name, reason: 'interactive' });
    } else {
      (p.packageManager ? stack : rest).push(p.name);
      if (p.rebootSuggested) rebootExpected = true;
    }
  }
  const install = [stack.sort(), rest.sort()].filter((g) => g.length > 0);
  return {
    install,
    withheld: withheld.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    rebootExpected,
  };
}
