// The `--report` file of build: written whole (atomically), so a reader finds it complete or not at all.
import { err, ok, type Result } from '../../model/result.js';
import type { BuildReport } from '../../executor/scheduler/build-report.js';
import { writeFileAtomic } from '../../io/atomic-file.js';
import { describeError } from '../../io/describe-error.js';

export async function writeBuildReport(path: string, report: BuildReport): Promise<Result<void, string>> {
  try {
    await writeFileAtomic(path, `${JSON.stringify(report, null, 2)}\n`);
    return ok(undefined);
  } catch (error: unknown) {
    return err(`writing the report ${path}: ${describeError(error)}`);
  }
}
