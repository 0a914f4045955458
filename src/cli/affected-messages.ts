// What `rebuild` says when the set of builds to redo cannot be made (plan/affected.ts hands back
// the data; the sentences are written here, like every other failure's).
import { assertNever } from '../model/result.js';
import type { AffectedError } from '../plan/affected.js';

export function describeAffectedError(error: AffectedError): string {
  switch (error.reason) {
    case 'not-built':
      return `no recorded build embeds ${error.source}: nothing to rebuild`;
    case 'downgrade':
      return `${error.source} ${error.built} is built for ${error.arch}, newer than ${error.wanted}: a rebuild never downgrades`;
    case 'invalid-version':
      return `${error.source}: invalid version "${error.version}": ${error.detail}`;
    case 'duplicate-update':
      return `${error.source} is updated twice`;
    default:
      return assertNever(error, 'affected-set error');
  }
}
