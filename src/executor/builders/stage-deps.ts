// The staged closure of one build: the published `-cross` packages of every target dependency,
// extracted from the repository with `dpkg-deb -x` into a directory of this build alone, which the
// container sees read-only at /deps. So a build sees exactly what the repository holds, not what
// another build's output directory happens to contain.
import { chmod, mkdir } from 'node:fs/promises';
import type { AptRepo, PublishedEntry } from '../../cache/apt-repo.js';
import { runProcess as defaultRunProcess, type ProcessRunner } from '../../io/process.js';
import { err, ok, type Result } from '../../model/result.js';
import type { NodeFailure } from '../scheduler/outcome.js';

export interface StagedDeps {
  readonly dir: string;
  /** Package files extracted, in order. */
  readonly packages: readonly string[];
}

/** Extracts every package of `entries` into `dir` (created, world-readable: the build user reads it). */
export async function stageDependencies(
  repo: Pick<AptRepo, 'pathOf'>, entries: readonly PublishedEntry[], dir: string, runProcess: ProcessRunner = defaultRunProcess,
): Promise<Result<StagedDeps, NodeFailure>> {
  await mkdir(dir, { recursive: true });
  // The build runs as uid 1000; the staging dir is made by this (root) process.
  await chmod(dir, 0o755);
  const packages: string[] = [];
  for (const entry of entries) {
    for (const deb of entry.debs) {
      const path = repo.pathOf(deb);
      const extracted = await runProcess('dpkg-deb', ['-x', path, dir], { timeoutMs: 300_000 });
      if (extracted.code !== 0) {
        return err({
          reason: 'stage-deps', package: path,
          exit: { code: extracted.code, stderr: extracted.stderr, ...(extracted.failure === undefined ? {} : { failure: extracted.failure }) },
        });
      }
      packages.push(path);
    }
  }
  return ok({ dir, packages });
}
