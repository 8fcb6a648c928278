import type { Ecosystem } from './types.js';

/** A version string the ecosystem's own tool refuses to compare (see compareVersions). */
export class InvalidVersionError extends RangeError {
  constructor(
    readonly ecosystem: Ecosystem,
    readonly version: string,
    readonly reason: string,
  ) {
    super(`invalid ${ecosystem} version ${JSON.stringify(version)}: ${reason}`);
    this.name = 'InvalidVersionError';
  }
}

/** A constraint string that parseConstraint rejects, passed to satisfiesConstraint anyway. */
export class InvalidConstraintError extends RangeError {
  constructor(
    readonly ecosystem: Ecosystem,
    readonly constraint: string,
    reason: string,
  ) {
    super(`invalid ${ecosystem} version constraint ${JSON.stringify(constraint)}: ${reason}`);
    this.name = 'InvalidConstraintError';
  }
}
