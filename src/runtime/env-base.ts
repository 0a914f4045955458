// The base of every environment of a suite: `mmdebstrap --variant=minbase --include=...` run on
// the host against the caller's mirror, the tarball imported as `stubforge-base:<suite>`. No
// registry is reachable, so this is where every image starts. Cached per suite: a base whose
// recorded include list matches is reused.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../log/logger.js';
import { ok, err, type Result } from '../model/result.js';
import type { ContainerRuntime, ImageInfo, RuntimeError } from './container-runtime.js';
import { baseLabels, baseRef, mmdebstrapArgv } from './env-spec.js';
import { runHostCommand, type HostCommandRunner } from './host-command.js';
import { Label } from './labels.js';
import { LineTail } from './line-buffer.js';

export type BaseError =
  | RuntimeError
  | {
      readonly reason: 'base-failed';
      readonly suite: string;
      readonly exitCode?: number;
      readonly detail: string;
      readonly logTail: readonly string[];
      readonly location: { readonly file: string };
    };

export interface BaseDeps {
  readonly runtime: ContainerRuntime;
  readonly log: Logger;
  readonly runHost?: HostCommandRunner;
  /** Where the (several hundred MB) tarball is written before import. */
  readonly tmpDir?: string;
  readonly run: string;
  readonly clock: () => Date;
  readonly signal?: AbortSignal;
}

export async function ensureBase(suite: string, include: readonly string[], mirror: string, deps: BaseDeps): Promise<Result<ImageInfo, BaseError>> {
  const ref = baseRef(suite);
  const labels = baseLabels(suite, include, deps.run, deps.clock().toISOString());
  const existing = await deps.runtime.inspectImage(ref);
  if (!existing.ok) return existing;
  if (existing.value !== undefined && existing.value.labels[Label.packagesHash] === labels[Label.packagesHash]) {
    deps.log.debug({ ref, digest: existing.value.digest }, 'base image reused');
    return ok(existing.value);
  }
  const dir = await mkdtemp(join(deps.tmpDir ?? tmpdir(), 'stubforge-base-'));
  try {
    const tarPath = join(dir, `${suite}.tar`);
    const argv = mmdebstrapArgv(suite, include, tarPath, mirror);
    const tail = new LineTail(30);
    deps.log.info({ ref, suite, include }, 'creating base image');
    const ran = await (deps.runHost ?? runHostCommand)(argv, {
      onLine: (line) => {
        tail.add(line);
        deps.log.debug({ line }, 'mmdebstrap output');
      },
      ...(deps.signal === undefined ? {} : { signal: deps.signal }),
    });
    if (deps.signal?.aborted === true) return err({ reason: 'interrupted', location: { file: 'mmdebstrap' } });
    if (ran.exitCode !== 0) {
      const detail = ran.spawnError ?? (ran.signal === undefined ? `exit status ${String(ran.exitCode)}` : `killed by ${ran.signal}`);
      return err({
        reason: 'base-failed', suite, detail, logTail: tail.get(), location: { file: 'mmdebstrap' },
        ...(ran.exitCode === undefined ? {} : { exitCode: ran.exitCode }),
      });
    }
    const imported = await deps.runtime.importImage({ tarPath, ref, labels });
    if (imported.ok) deps.log.info({ ref, digest: imported.value.digest, sizeBytes: imported.value.sizeBytes }, 'base image created');
    return imported;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
