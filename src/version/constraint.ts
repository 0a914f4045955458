// Does a version satisfy `(op version)`? Policy §7.1 operators, compared with dpkg's order.
// The obsolete `<` and `>` never reach here: the relation parser turns them into `<=` and `>=`
// (what dpkg does, with a warning), so `VersionOperator` has only the five current ones.
import { assertNever, ok, type Result } from '../model/result.js';
import type { VersionConstraint, VersionOperator } from '../model/relation.js';
import { compareVersions, type Ordering } from './compare.js';
import { parseVersion, type DebVersion, type VersionError } from './deb-version.js';

/** Whether an ordering of `candidate` against the constraint's version meets the operator. */
export function orderingSatisfies(ordering: Ordering, op: VersionOperator): boolean {
  switch (op) {
    case '<<':
      return ordering < 0;
    case '<=':
      return ordering <= 0;
    case '=':
      return ordering === 0;
    case '>=':
      return ordering >= 0;
    case '>>':
      return ordering > 0;
    default:
      return assertNever(op, 'version operator');
  }
}

/**
 * Check a constraint whose version has not been validated (built by hand, read from a recipe):
 * an invalid constraint version is an error value, not `false`.
 */
export function checkConstraint(version: DebVersion, constraint: VersionConstraint): Result<boolean, VersionError> {
  const wanted = parseVersion(constraint.version);
  if (!wanted.ok) return wanted;
  return ok(orderingSatisfies(compareVersions(version, wanted.value), constraint.op));
}

/**
 * Check a constraint that came out of `parseRelations`, which validates every version it accepts.
 * A constraint with an invalid version is a programming error here (use `checkConstraint` for
 * unvalidated ones), so it throws rather than answering true or false.
 */
export function satisfiesConstraint(version: DebVersion, constraint: VersionConstraint): boolean {
  const result = checkConstraint(version, constraint);
  if (!result.ok) {
    throw new Error(`satisfiesConstraint: constraint version "${constraint.version}" is invalid ` +
      `(${result.error.message}); validate it with parseVersion or checkConstraint first`);
  }
  return result.value;
}
