// The I/O of `stubforge report`: the plan graph laid out by Graphviz's `dot`, the build and batch
// reports read with their own readers, the embeds read as `query embeds` reads them, the logs
// copied into the folder, and the folder written whole. src/report/ renders; this reads and writes.
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { describeProcess, runProcess } from '../../io/process.js';
import type { PackageEmbeds } from '../../cache/embeds-query.js';
import { readRepoEmbeds } from '../../cache/embeds-reader.js';
import { readReportFile, type BatchReport } from '../../executor/batch/batch-report.js';
import { parseBuildReport, type BuildReport } from '../../executor/scheduler/build-report.js';
import { formatLocation, type SourceLocation } from '../../model/location.js';
import { assertNever, err, ok, type Result } from '../../model/result.js';
import type { SiteFile } from '../../report/site.js';
import { describeError } from '../../io/describe-error.js';
import { describeEmbedsReadError, describeProvenanceProblem } from '../cache-messages.js';

/** Graphviz lays the graph out: the reference layered layout, packaged by Debian, the same bytes for the same input. */
export async function layOutDot(dot: string, dotPath: string): Promise<Result<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), 'stubforge-dot-'));
  try {
    const file = join(dir, 'plan.dot');
    await writeFile(file, dot);
    const run = await runProcess(dotPath, ['-Tsvg', file], { timeoutMs: 120_000 });
    if (run.code !== 0) {
      const missing = run.failure?.includes('ENOENT') === true;
      return err(missing ? `Graphviz's ${dotPath} is not installed (Debian package graphviz)` : describeProcess(dotPath, run));
    }
    return ok(run.stdout.toString('utf8'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function readBuildReport(file: string): Promise<Result<BuildReport, string>> {
  let textOf: string;
  try {
    textOf = await readFile(file, 'utf8');
  } catch (error: unknown) {
    return err(`cannot read the build report ${file}: ${describeError(error)}`);
  }
  return parseBuildReport(textOf, file);
}

export async function readBatchReport(file: string): Promise<Result<BatchReport, string>> {
  const read = await readReportFile(file);
  if (!read.ok) return err(read.error.message);
  if (read.value === undefined) return err(`no batch report at ${file}`);
  return ok(read.value);
}

export interface EmbedsInputs {
  readonly packages: PackageEmbeds[];
  readonly problems: { readonly location: SourceLocation; readonly message: string }[];
  readonly read: string[];
  readonly errors: string[];
}

/** Every package of the repositories, as `query embeds` reads them; a repository that cannot be read is an error line, not an end. */
export async function readEmbeds(repos: readonly string[]): Promise<EmbedsInputs> {
  const out: EmbedsInputs = { packages: [], problems: [], read: [], errors: [] };
  for (const repo of repos) {
    const got = await readRepoEmbeds(repo);
    if (!got.ok) {
      out.errors.push(`${formatLocation(got.error.location)}: ${describeEmbedsReadError(got.error)}`);
      continue;
    }
    out.packages.push(...got.value.packages);
    out.problems.push(...got.value.problems.map((p) => ({ location: p.location, message: describeProvenanceProblem(p) })));
    out.read.push(...got.value.read);
  }
  return out;
}

/**
 * The logs the reports name, copied into `logs/` of the folder under names of our own (their
 * order of first mention, the original file name made safe) as `.txt`, so that a web server
 * serves them as text. A log no longer there is left without a link.
 */
export class LogCopies {
  readonly #links = new Map<string, string | undefined>();
  readonly #copies: { from: string; to: string }[] = [];

  href(path: string): string | undefined {
    if (this.#links.has(path)) return this.#links.get(path);
    let link: string | undefined;
    if (existsSync(path)) {
      const safe = basename(path).replace(/[^A-Za-z0-9._+-]/g, '_').replace(/\.log$/, '');
      link = `logs/${String(this.#copies.length + 1).padStart(3, '0')}-${safe}.txt`;
      this.#copies.push({ from: path, to: link });
    }
    this.#links.set(path, link);
    return link;
  }

  async copyInto(dir: string): Promise<void> {
    if (this.#copies.length === 0) return;
    await mkdir(join(dir, 'logs'), { recursive: true });
    for (const c of this.#copies) await copyFile(c.from, join(dir, c.to));
  }
}

/** Marks a folder as one `report` wrote, so a later run may replace it (and nothing else). */
const MARKER = '.stubforge-report';

/** Why the site could not be written: `out` is not a folder, holds files no report wrote, or the disk refused. */
export type SiteWriteError =
  | { readonly reason: 'not-a-folder'; readonly path: string }
  | { readonly reason: 'foreign-files'; readonly path: string }
  | { readonly reason: 'io-error'; readonly path: string; readonly detail: string };

export function describeSiteWriteError(error: SiteWriteError): string {
  switch (error.reason) {
    case 'not-a-folder':
      return `${error.path} exists and is not a folder`;
    case 'foreign-files':
      return `${error.path} holds files that no stubforge report wrote: refusing to replace it (give an empty or new folder)`;
    case 'io-error':
      return `writing ${error.path}: ${error.detail}`;
    default:
      return assertNever(error, 'site write error');
  }
}

/**
 * The site written into a new folder beside `out`, then swapped in: a folder a CI job publishes
 * is the old report or the new one, never a mix. An existing folder is replaced only when an
 * earlier report made it (or it is empty).
 */
export async function writeSite(out: string, files: readonly SiteFile[], logs: LogCopies): Promise<Result<void, SiteWriteError>> {
  if (existsSync(out)) {
    const entries = await readdir(out).catch(() => undefined);
    if (entries === undefined) return err({ reason: 'not-a-folder', path: out });
    if (entries.length > 0 && !entries.includes(MARKER)) return err({ reason: 'foreign-files', path: out });
  }
  await mkdir(dirname(out), { recursive: true });
  const temp = await mkdtemp(`${out}.tmp-`);
  try {
    await chmod(temp, 0o755);
    for (const f of files) await writeFile(join(temp, f.path), f.content);
    await writeFile(join(temp, MARKER), '');
    await logs.copyInto(temp);
    if (existsSync(out)) await rm(out, { recursive: true, force: true });
    await rename(temp, out);
    return ok(undefined);
  } catch (error: unknown) {
    await rm(temp, { recursive: true, force: true });
    return err({ reason: 'io-error', path: out, detail: describeError(error) });
  }
}
