// The memo of solved plans (docs/solver.md, "The plan memo"), the way apt keeps pkgcache.bin: a
// plan solved once is stored under a key over everything it depends on (plan/plan-memo-key.ts),
// so that a warm `stubforge plan` whose inputs have not changed skips loading ~100 MB of indices
// and solving. The InRelease files are still downloaded and verified first (offline: the cached
// ones verified again): their hashes are part of the key, so that is how a memo is known to hold.
//
//   <cache>/plans/<sha256 of the key text>     v8-serialised { format, key text, plan, diagnostics }
//
// Files are written atomically; a memo that does not read back, or whose stored key text differs
// from the one asked for, is a miss. Only the newest memos are kept.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import type { CheckedRelease } from '../archive/archive.js';
import { clockExceptions } from '../archive/release.js';
import { writeFileAtomic } from '../io/atomic-file.js';
import type { IndexDiagnostic } from '../archive/index-records.js';
import type { Logger } from '../log/logger.js';
import type { BuildPlan } from '../plan/plan.js';
import type { InputRead, PlanMemoKey } from '../plan/plan-memo-key.js';
import type { TextFileReader } from '../arch/arch-loader.js';
import type { TableFileSystem } from '../arch/dpkg-tables-loader.js';
import type { RecipeFileSystem } from '../recipe/recipe-loader.js';
import { describeError } from '../io/describe-error.js';

/** Bumped when what a memo holds changes shape; the serialiser's own version goes with it. */
export const PLAN_MEMO_FORMAT = `stubforge-plan-memo 1; node ${process.versions.node}; v8 ${process.versions.v8}`;

/** Memos kept, the one just written included (one per target, arch, pin set ... in recent use). */
export const KEEP_MEMOS = 32;
/** A temp file older than this is a leftover of a crashed write. */
const STALE_TEMP_MS = 60 * 60 * 1000;
const MEMO_NAME = /^[0-9a-f]{64}$/;

export interface PlanMemo {
  readonly plan: BuildPlan;
  /** Index paragraphs the archive skipped: logged on every run, as when the indices are read. */
  readonly diagnostics: readonly IndexDiagnostic[];
}

export type MemoRead = { readonly hit: true; readonly memo: PlanMemo } | { readonly hit: false; readonly why: string };

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : describeError(error);
}

/** Where the solver's inputs are read from; the memo passes readers that note every read for its key. */
export interface SolverInputFiles {
  readonly arch: TextFileReader;
  readonly tables: TableFileSystem;
  readonly recipes: RecipeFileSystem;
}

/**
 * The solver-input readers, each noting what it read (content digest, listing, or failure), in the
 * order the reads end: the loaders read one file at a time, so that is their own order.
 */
export function recordingInputFiles(base: SolverInputFiles): { readonly files: SolverInputFiles; readonly reads: () => readonly InputRead[] } {
  const reads: InputRead[] = [];
  const noted = async <T>(path: string, read: () => Promise<T>, note: (value: T) => InputRead): Promise<T> => {
    try {
      const value = await read();
      reads.push(note(value));
      return value;
    } catch (error: unknown) {
      reads.push({ kind: 'failed', path, code: errorCode(error) });
      throw error;
    }
  };
  const text = (path: string, read: () => Promise<string>): Promise<string> =>
    noted(path, read, (value) => ({ kind: 'file', path, sha256: sha256(value) }));
  return {
    files: {
      arch: { readFile: (path) => text(path, () => base.arch.readFile(path)) },
      tables: { readFile: (path, encoding) => text(path, () => base.tables.readFile(path, encoding)) },
      recipes: {
        readFile: (path) => text(path, () => base.recipes.readFile(path)),
        list: (path) => noted(path, () => base.recipes.list(path), (entries) => ({
          kind: 'list', path, entries: entries.map((e) => (e.isDirectory ? `${e.name}/` : e.name)),
        })),
      },
    },
    reads: () => [...reads],
  };
}

/** The folders (and files) of stubforge whose code decides a plan, below src/ or dist/src/. */
const CODE_DIRS = ['arch', 'archive', 'control', 'model', 'plan', 'recipe', 'solver', 'version'];
const CODE_FILES = ['cli/commands/solver-inputs', 'cli/commands/plan', 'cache/plan-memo', 'cli/config'];

/**
 * SHA-256 over stubforge's package.json (its version and dependencies), its package-lock.json when
 * there is one (the versions installed in a checkout), and the code that computes a plan, as
 * installed (the .js of dist/ or the .ts under test): a changed solver must not answer with an old
 * plan.
 */
export async function codeDigest(packageRoot: string): Promise<string> {
  const src = fileURLToPath(new URL('../', import.meta.url));
  const isCode = (name: string): boolean => /\.(js|ts)$/.test(name) && !name.endsWith('.d.ts');
  const listed = await Promise.all(CODE_DIRS.map(async (dir) => (await readdir(join(src, dir))).filter(isCode).map((n) => join(src, dir, n))));
  const single = await Promise.all(CODE_FILES.map(async (file) => {
    const dir = join(src, file, '..');
    const base = file.slice(file.lastIndexOf('/') + 1);
    return (await readdir(dir)).filter((n) => isCode(n) && n.slice(0, n.lastIndexOf('.')) === base).map((n) => join(dir, n));
  }));
  const code = [...listed.flat(), ...single.flat()].sort().map((path) => ({ name: relative(src, path), path }));
  const files = [{ name: 'package.json', path: join(packageRoot, 'package.json') }, ...code];
  const lock = join(packageRoot, 'package-lock.json');
  // An installed package has no lock file; any other failure to read it is an error like any other.
  const readLock = readFile(lock).catch((error: unknown) => {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  });
  const [lockData, ...contents] = await Promise.all([readLock, ...files.map((f) => readFile(f.path))]);
  const hash = createHash('sha256');
  for (const [i, data] of contents.entries()) hash.update(`${files[i]?.name ?? ''}\0`).update(data).update('\0');
  if (lockData !== undefined) hash.update('package-lock.json\0').update(lockData);
  return hash.digest('hex');
}

function memoDir(cacheDir: string): string {
  return join(cacheDir, 'plans');
}

interface StoredMemo {
  readonly format: string;
  readonly key: string;
  readonly plan: BuildPlan;
  readonly diagnostics: readonly IndexDiagnostic[];
}

function isStoredMemo(value: unknown): value is StoredMemo {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Record<keyof StoredMemo, unknown>>;
  const plan = v.plan as Partial<Record<keyof BuildPlan, unknown>> | undefined;
  return typeof v.format === 'string' && typeof v.key === 'string' && Array.isArray(v.diagnostics) &&
    typeof plan === 'object' && Array.isArray(plan.nodes) && Array.isArray(plan.edges);
}

export async function readPlanMemo(cacheDir: string, key: PlanMemoKey): Promise<MemoRead> {
  const path = join(memoDir(cacheDir), key.id);
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (error: unknown) {
    return { hit: false, why: errorCode(error) === 'ENOENT' ? 'not memoised' : `${path}: ${errorCode(error)}` };
  }
  let stored: unknown;
  try {
    stored = deserialize(data);
  } catch (error: unknown) {
    return { hit: false, why: `${path}: does not deserialise (${errorCode(error)})` };
  }
  if (!isStoredMemo(stored)) return { hit: false, why: `${path}: not a plan memo` };
  if (stored.format !== PLAN_MEMO_FORMAT) return { hit: false, why: `${path}: format ${stored.format}` };
  if (stored.key !== key.text) return { hit: false, why: `${path}: made for another key` };
  return { hit: true, memo: { plan: stored.plan, diagnostics: stored.diagnostics } };
}

/** Store a memo atomically, then remove all but the newest memos and stale temp files. */
export async function writePlanMemo(cacheDir: string, key: PlanMemoKey, memo: PlanMemo): Promise<void> {
  const dir = memoDir(cacheDir);
  await mkdir(dir, { recursive: true });
  const stored: StoredMemo = { format: PLAN_MEMO_FORMAT, key: key.text, plan: memo.plan, diagnostics: memo.diagnostics };
  await writeFileAtomic(join(dir, key.id), serialize(stored));
  await pruneMemos(dir, key.id);
}

async function pruneMemos(dir: string, current: string): Promise<void> {
  const now = Date.now();
  const memos: { path: string; mtimeMs: number }[] = [];
  for (const name of await readdir(dir)) {
    if (name === current) continue;
    const path = join(dir, name);
    try {
      const { mtimeMs } = await stat(path);
      if (MEMO_NAME.test(name)) memos.push({ path, mtimeMs });
      else if (now - mtimeMs > STALE_TEMP_MS) await rm(path, { force: true });
    } catch {
      // Removed meanwhile by another run: nothing to do.
    }
  }
  memos.sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const old of memos.slice(KEEP_MEMOS - 1)) await rm(old.path, { force: true });
}

/** What `openArchive` logs for an InRelease let through despite the clock (clockExceptions), for runs that never open it. */
export function logClockExceptions(releases: readonly CheckedRelease[], now: Date, log: Logger): void {
  for (const { suite, release } of releases) {
    for (const exception of clockExceptions(release, now)) {
      log.child({ suite: suite.suite, component: suite.component }).warn(exception.fields, exception.message);
    }
  }
}
