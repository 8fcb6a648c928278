// A ring's failure budget (Rollout `failureBudget`; README.md, "Apply"): one rule for the plan, which
// counts the ring's hosts it knows nothing current about, and for apply, which counts the hosts
// that failed.

export interface FailureBudget {
  maxFailed?: number;
  maxFailedPercent?: number;
}

/** True when `failures` exceeds the budget (reaching it exactly does not). Default budget: 0. */
export function budgetExceeded(budget: FailureBudget, failures: number, hosts: number): boolean {
  if (budget.maxFailed === undefined && budget.maxFailedPercent === undefined) return failures > 0;
  if (budget.maxFailed !== undefined && failures > budget.maxFailed) return true;
  if (
    budget.maxFailedPercent !== undefined &&
    (failures * 100) / Math.max(1, hosts) > budget.maxFailedPercent
  )
    return true;
  return false;
}
