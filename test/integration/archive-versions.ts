// What tests against the real archive expect, read from the archive when they run, never written
// down: the archive moves on (point releases; security uploads whose .dsc the mirror does not
// serve), and a version hard-coded today breaks CI for everyone next week. Each helper either
// answers a version the mirror serves whole — for the test to pin explicitly with stubforge's own
// `--pin` or to expect — or a reason to skip. The choice itself is stubforge's (archive/served.ts,
// the same code `stubforge served` and docker/main-job.sh use); the pure part here is tested on
// captured indices in test/unit/archive-versions.test.ts, the archive moving on included.
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { command as plan } from '../../src/cli/commands/plan.js';
import { command as served } from '../../src/cli/commands/served.js';
import { openArchive, type Archive } from '../../src/archive/archive.js';
import { mirrorProbe } from '../../src/archive/served.js';
import { chooseServed, lacksOnlyDebianPart, versionsNewestFirst, type CheckedVersion, type ServedProbe } from '../../src/archive/served-choice.js';
import type { SourceRecord } from '../../src/model/archive.js';
import { runCommand } from './cli-support.js';

/** The part of an archive these helpers read: its suites and its Sources records. */
export type ArchiveIndices = Pick<Archive, 'suites' | 'index'>;

export type Served =
  | { readonly ok: true; readonly name: string; readonly version: string; readonly suite: string; readonly record: SourceRecord;
      /** Newer versions the mirror does not serve whole, passed over (the reason a test pins). */
      readonly passedOver: readonly CheckedVersion[] }
  | { readonly ok: false; readonly skip: string };

const files = (v: CheckedVersion): string => v.missing.map((m) => m.file).join(', ');

/** The newest version of `name` in `suites` that the mirror serves whole, or why there is none. */
export async function servedVersion(archive: ArchiveIndices, name: string, suites: readonly string[], probe: ServedProbe): Promise<Served> {
  const versions = versionsNewestFirst(archive.index.sources, name, suites);
  if (!versions.ok) return { ok: false, skip: `${name}: ${versions.error.message}` };
  const choice = await chooseServed(name, versions.value, probe, suites);
  if (!choice.ok) {
    const e = choice.error;
    return { ok: false, skip: e.reason === 'source-not-found' ? `no version of ${name} in ${suites.join(', ')}` : `${name}: ${JSON.stringify(e)}` };
  }
  const { chosen, checked } = choice.value;
  if (chosen === undefined) {
    return { ok: false, skip: `the mirror serves no version of ${name} in ${suites.join(', ')} whole (${checked.map((v) => `${v.record.version} lacks ${files(v)}`).join('; ')})` };
  }
  return { ok: true, name, version: chosen.version, suite: chosen.suite, record: chosen, passedOver: checked.filter((v) => v.record !== chosen) };
}

/** Like `servedVersion`, but a missing version is an error: for a test whose premise needs it. */
export async function requireServed(archive: ArchiveIndices, name: string, suites: readonly string[], probe: ServedProbe): Promise<Extract<Served, { ok: true }>> {
  const served = await servedVersion(archive, name, suites, probe);
  if (!served.ok) throw new Error(served.skip);
  return served;
}

export type LackingDsc =
  | { readonly ok: true; readonly name: string; readonly newest: SourceRecord; readonly dsc: string;
      /** The newest version the mirror does serve whole: what the user is told to choose. */
      readonly served: SourceRecord }
  | { readonly ok: false; readonly skip: string };

/**
 * A source among `candidates` whose newest version in `suites` the mirror lacks the .dsc of, while
 * it serves an older one whole: the situation "the mirror lacks the newest .dsc" in which stubforge
 * must stop and name the explicit choice. Candidates are tried in order.
 */
export async function sourceLackingNewestDsc(
  archive: ArchiveIndices, candidates: readonly string[], suites: readonly string[], probe: ServedProbe,
): Promise<LackingDsc> {
  const seen: string[] = [];
  for (const name of candidates) {
    const versions = versionsNewestFirst(archive.index.sources, name, suites);
    if (!versions.ok || versions.value.length === 0) {
      seen.push(`${name}: not in ${suites.join(', ')}`);
      continue;
    }
    const choice = await chooseServed(name, versions.value, probe, suites);
    if (!choice.ok) throw new Error(`${name}: ${JSON.stringify(choice.error)}`);
    const [first] = choice.value.checked;
    const dsc = first?.missing.find((m) => m.file.endsWith('.dsc'));
    const served = choice.value.chosen;
    if (first !== undefined && dsc !== undefined && served !== undefined) return { ok: true, name, newest: first.record, dsc: dsc.file, served };
    seen.push(`${name} ${choice.value.newest.version}: ${dsc === undefined ? '.dsc served' : 'no older version served whole'}`);
  }
  return { ok: false, skip: `no source among ${candidates.join(', ')} has a newest version in ${suites.join(', ')} whose .dsc the mirror lacks while it serves an older one whole (${seen.join('; ')})` };
}

/** Index downloads are shared between test runs (every use re-verifies them). */
export const TEST_INDEX_CACHE = join(tmpdir(), 'stubforge-test-index-cache');

/** The machine's mirror and `suites`, read as stubforge reads them, with a probe of that mirror. */
export async function openTestArchive(suites: readonly string[], cacheDir = TEST_INDEX_CACHE): Promise<{ archive: Archive; probe: ServedProbe }> {
  const archive = await openArchive({ cacheDir, suites });
  if (!archive.ok) throw new Error(`cannot open the archive: ${JSON.stringify(archive.error)}`);
  return { archive: archive.value, probe: mirrorProbe(archive.value) };
}

export type LackingDebianPart =
  | { readonly ok: true; readonly record: SourceRecord; readonly missing: readonly string[] }
  | { readonly ok: false; readonly skip: string };

/**
 * The newest version of `name` in `suites`, when the mirror serves its orig tarball but not its
 * Debian part (diff or debian tarball): the situation `--allow-orig-only` is for.
 */
export async function newestLackingDebianPart(
  archive: ArchiveIndices, name: string, suites: readonly string[], probe: ServedProbe,
): Promise<LackingDebianPart> {
  const versions = versionsNewestFirst(archive.index.sources, name, suites);
  const newest = versions.ok ? versions.value.find((r) => r.extraSourceOnly !== true) ?? versions.value[0] : undefined;
  if (newest === undefined) return { ok: false, skip: `no version of ${name} in ${suites.join(', ')}` };
  const missing = await probe(newest);
  if (!missing.ok) throw new Error(`${name}: ${JSON.stringify(missing.error)}`);
  const checked = { record: newest, missing: missing.value };
  if (!lacksOnlyDebianPart(checked)) {
    const what = missing.value.length === 0 ? 'serves it whole' : `lacks ${missing.value.map((m) => m.file).join(', ')}`;
    return { ok: false, skip: `the mirror no longer lacks only the Debian part of ${name} ${newest.version} (${newest.suite}): it ${what}` };
  }
  return { ok: true, record: newest, missing: missing.value.map((m) => m.file) };
}

/** A version written into a regular expression. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Where a CLI command run by these helpers keeps its caches, and the arch/recipe folders it reads. */
export interface CommandEnv {
  readonly env: Record<string, string | undefined>;
  readonly cwd: string;
  /** Options every call adds (e.g. `--arch-dir`, `--recipe-dir` when run from the sources). */
  readonly extra?: readonly string[];
}

/**
 * The options `stubforge served --target` prints for the plan of `target` with `args`: a `--pin`
 * of the newest version the mirror serves whole for each source whose newest it does not, and
 * `--allow-orig-only SRC` for the sources of `origOnly` that still need it. This is how
 * docker/main-job.sh chooses; a source with no servable version fails the caller, naming it.
 */
export async function servedChoices(target: string, args: readonly string[], run: CommandEnv, origOnly: readonly string[] = []): Promise<string[]> {
  const argv = ['--target', target, ...args, ...(run.extra ?? []), ...origOnly.flatMap((s) => ['--allow-orig-only', s]), '--format', 'args'];
  const { code, stdout, stderr } = await runCommand(served, argv, run);
  if (code !== 0) throw new Error(`stubforge served ${argv.join(' ')} exited ${code}:\n${stderr}`);
  return stdout.split('\n').filter((w) => w !== '');
}

/** source → version of every node of the plan `stubforge plan <target> <args>` makes today. */
export async function plannedVersions(target: string, args: readonly string[], run: CommandEnv): Promise<Map<string, string>> {
  const argv = [target, ...args, ...(run.extra ?? []), '--format', 'json'];
  const { code, stdout, stderr } = await runCommand(plan, argv, run);
  if (code !== 0) throw new Error(`stubforge plan ${argv.join(' ')} exited ${code}:\n${stderr}`);
  const json = JSON.parse(stdout) as { nodes: { source: string; version: string }[] };
  return new Map(json.nodes.map((n) => [n.source, n.version]));
}
