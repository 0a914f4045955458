// What query, rebuild and publish share: where the output repository is, and the recorded
// provenance (build cache + output repository) read into the form src/plan/affected.ts takes.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { openRepo } from '../../cache/apt-repo.js';
import { listOutputRepo } from '../../cache/output-repo.js';
import { applicationOfControl, librariesOfEntries } from '../../cache/provenance.js';
import { formatLocation } from '../../model/location.js';
import { err, ok, type Result } from '../../model/result.js';
import type { ProvenanceGraph } from '../../plan/affected.js';
import type { Failure } from '../archive-messages.js';
import type { CliContext } from '../command.js';
import { resolvePaths } from '../config.js';
import { ExitCode } from '../exit-codes.js';
import { describeOutputRepoError, describeProvenanceProblem, describeRepoError } from '../cache-messages.js';

export const OUTPUT_REPO_USAGE =
  '  --output-repo DIR  the output repository of application .debs (default: $STUBFORGE_OUTPUT_REPO,\n' +
  '                     else "output" beside the build cache\'s repository)\n';

export interface SecurityPaths {
  /** The build cache: the local apt repository of -cross packages. */
  readonly cacheRepo: string;
  readonly outputRepo: string;
  readonly stateDir: string;
}

export function securityPaths(ctx: CliContext, outputRepoArg: string | undefined): SecurityPaths {
  const paths = resolvePaths(ctx.env, ctx.cwd);
  const fromEnv = ctx.env.STUBFORGE_OUTPUT_REPO;
  const outputRepo = outputRepoArg ?? (fromEnv === undefined || fromEnv === '' ? join(dirname(paths.repoDir), 'output') : fromEnv);
  return { cacheRepo: paths.repoDir, outputRepo: resolve(ctx.cwd, outputRepo), stateDir: paths.stateDir };
}

export interface LoadedProvenance {
  readonly graph: ProvenanceGraph;
  readonly problems: readonly string[];
}

/** The build cache's published keys and the output repository's applications; absent repositories are empty. */
export async function loadProvenance(paths: SecurityPaths, ctx: CliContext): Promise<Result<LoadedProvenance, Failure>> {
  const problems: string[] = [];
  let libraries: ProvenanceGraph['libraries'] = [];
  const applications: ProvenanceGraph['applications'][number][] = [];
  if (existsSync(paths.cacheRepo)) {
    const repo = await openRepo(paths.cacheRepo, { logger: ctx.log });
    if (!repo.ok) return err({ message: `build cache ${paths.cacheRepo}: ${describeRepoError(repo.error)}`, exitCode: ExitCode.failed });
    const entries = await repo.value.list();
    if (!entries.ok) return err({ message: `build cache ${paths.cacheRepo}: ${describeRepoError(entries.error)}`, exitCode: ExitCode.failed });
    // An application build published into the cache (its package names its recipe) is an application, not a library.
    const isApplication = (e: (typeof entries.value)[number]): boolean => e.debs.some((d) => /^X-Stubforge-Target:/m.test(d.control));
    const read = librariesOfEntries(entries.value.filter((e) => !isApplication(e)), (e) => join(paths.cacheRepo, 'pool', e.key));
    libraries = read.libraries;
    problems.push(...read.problems.map((p) => `${formatLocation(p.location)}: ${describeProvenanceProblem(p)}`));
    for (const e of entries.value.filter(isApplication)) {
      for (const d of e.debs) {
        const app = applicationOfControl(d.control, join(paths.cacheRepo, d.filename));
        if (app.application !== undefined) applications.push(app.application);
        problems.push(...app.problems.map((q) => `${formatLocation(q.location)}: ${describeProvenanceProblem(q)}`));
      }
    }
  }
  const listed = await listOutputRepo(paths.outputRepo);
  if (!listed.ok) return err({ message: `output repository ${paths.outputRepo}: ${describeOutputRepoError(listed.error)}`, exitCode: ExitCode.failed });
  for (const p of listed.value) {
    // The same package in the cache and the output repository counts once.
    if (applications.some((a) => a.package === p.package && a.version === p.version && a.arch === (/^X-Stubforge-Arch: (\S+)$/m.exec(p.control)?.[1] ?? p.architecture))) continue;
    const app = applicationOfControl(p.control, join(paths.outputRepo, p.filename));
    if (app.application !== undefined) applications.push(app.application);
    problems.push(...app.problems.map((q) => `${formatLocation(q.location)}: ${describeProvenanceProblem(q)}`));
  }
  return ok({ graph: { libraries, applications }, problems });
}
