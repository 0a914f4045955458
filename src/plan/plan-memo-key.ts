// The key of a memoised plan (cache/plan-memo.ts, like apt's pkgcache.bin): a canonical text over
// everything a solved plan depends on, and its SHA-256. Same key ⇒ the solver would answer the
// same plan, so a warm `stubforge plan` can skip loading the indices and solving. Pure: the caller
// gathers the parts (what the input loaders read, the verified InRelease hashes, its own code).
import { createHash } from 'node:crypto';
import type { Sha256Hex } from '../model/brand.js';
import { assertNever } from '../model/result.js';

/** One thing read while loading the solver's inputs: arch file, dpkg's tables, recipe folders and files. */
export type InputRead =
  | { readonly kind: 'file'; readonly path: string; readonly sha256: string }
  | { readonly kind: 'list'; readonly path: string; readonly entries: readonly string[] }
  /** A read that failed (an arch file absent from the first folders searched): its absence counts too. */
  | { readonly kind: 'failed'; readonly path: string; readonly code: string };

/** One suite read, with the SHA-256 of its verified InRelease (which pins every index of it). */
export interface MemoRelease {
  readonly suite: string;
  readonly component: string;
  readonly mirror: string;
  readonly sha256: string;
}

export interface PlanMemoKeyParts {
  /** Layout of the memo and of its serialisation; a new one never reads an old memo. */
  readonly format: string;
  /** Digest of stubforge's own code and package.json: another stubforge may answer otherwise. */
  readonly code: string;
  readonly target: string;
  /** Binary architecture of the Packages indices read. */
  readonly indexArch: string;
  /** In the order the suites are read (the order ties between them are broken by). */
  readonly releases: readonly MemoRelease[];
  readonly pins: ReadonlyMap<string, string>;
  /** Everything the inputs were loaded from, in reading order. */
  readonly reads: readonly InputRead[];
}

export interface PlanMemoKey {
  /** The canonical text, stored in the memo and compared on reading (not only its hash). */
  readonly text: string;
  readonly id: Sha256Hex;
}

/** Bumped when the key's layout changes. */
const KEY_LAYOUT = 'stubforge-plan-memo-key 1';

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function planMemoKey(parts: PlanMemoKeyParts): PlanMemoKey {
  // JSON of an object built here, field by field: a fixed order, and no value can pose as a separator.
  const text = JSON.stringify({
    layout: KEY_LAYOUT,
    format: parts.format,
    code: parts.code,
    target: parts.target,
    indexArch: parts.indexArch,
    releases: parts.releases.map((r) => [r.suite, r.component, r.mirror, r.sha256]),
    // A Map: one version per source. Sorted so that the order of --pin options does not matter.
    pins: [...parts.pins].sort((a, b) => byName(a[0], b[0])),
    reads: parts.reads.map((r) => {
      switch (r.kind) {
        case 'file':
          return ['file', r.path, r.sha256];
        case 'list':
          return ['list', r.path, ...r.entries];
        case 'failed':
          return ['failed', r.path, r.code];
        default:
          return assertNever(r, 'input read');
      }
    }),
  }, null, 0);
  return { text, id: createHash('sha256').update(text).digest('hex') as Sha256Hex };
}
