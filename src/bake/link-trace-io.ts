// The I/O around link-trace.ts and link-attribution.ts: read a trace or map file, and ask dpkg
// who owns a toolchain archive. The process runner is passed in so the same question can be
// asked inside the build container (where the link ran and whose dpkg database matters).
import { readFile } from 'node:fs/promises';
import { describeProcess, runProcess, type ProcessRunner } from '../io/process.js';
import { err, ok, type Result } from '../model/result.js';
import { DPKG_QUERY_SOURCE_FORMAT, parseDpkgQuerySource, parseDpkgSearch, usrMergeAlias } from './dpkg-owner.js';
import type { HostOwnerQuery, HostPackageOwner, HostQueryError } from './link-attribution.js';
import { parseLinkMap, parseLinkTrace, type LinkEvidence, type LinkTraceError } from './link-trace.js';
import { describeError } from '../io/describe-error.js';

export type EvidenceKind = 'trace' | 'map';

export type ReadEvidenceError = LinkTraceError | { readonly reason: 'unreadable'; readonly detail: string; readonly location: { readonly file: string } };

export async function readLinkEvidence(file: string, kind: EvidenceKind, cwd?: string): Promise<Result<LinkEvidence, ReadEvidenceError>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error: unknown) {
    return err({ reason: 'unreadable', detail: describeError(error), location: { file } });
  }
  const options = cwd === undefined ? { file } : { file, cwd };
  return kind === 'map' ? parseLinkMap(text, options) : parseLinkTrace(text, options);
}

export interface DpkgQueryOptions {
  readonly run?: ProcessRunner;
  /** `--admindir` of another root's dpkg database. */
  readonly admindir?: string;
}

/**
 * A HostOwnerQuery backed by `dpkg -S` and `dpkg-query -W`. Answers are memoised per path: an
 * application link names libc.a once, but the same query object serves several links.
 */
export function dpkgOwnerQuery(options: DpkgQueryOptions = {}): HostOwnerQuery {
  const run = options.run ?? runProcess;
  const admin = options.admindir === undefined ? [] : [`--admindir=${options.admindir}`];
  const cache = new Map<string, Promise<Result<HostPackageOwner | undefined, HostQueryError>>>();

  async function owners(path: string): Promise<Result<string[], HostQueryError>> {
    const result = await run('dpkg-query', [...admin, '-S', path]);
    // Exit 1 with nothing on stdout is an answer (nobody owns it), not a failure; the message
    // on stderr is translated, so it is not matched.
    if (result.code === 1 && result.stdout.length === 0) return ok([]);
    if (result.code !== 0) return err({ reason: 'host-query-failed', path, detail: describeProcess('dpkg-query -S', result) });
    return ok(parseDpkgSearch(result.stdout.toString('utf8'), path));
  }

  async function query(path: string): Promise<Result<HostPackageOwner | undefined, HostQueryError>> {
    let found = await owners(path);
    const alias = usrMergeAlias(path);
    if (found.ok && found.value.length === 0 && alias !== undefined) found = await owners(alias);
    if (!found.ok) return found;
    if (found.value.length === 0) return ok(undefined);
    if (found.value.length > 1) {
      return err({ reason: 'host-query-failed', path, detail: `owned by several packages: ${found.value.join(', ')}` });
    }
    const pkg = found.value[0] ?? '';
    const described = await run('dpkg-query', [...admin, '-W', `--showformat=${DPKG_QUERY_SOURCE_FORMAT}`, pkg]);
    if (described.code !== 0) return err({ reason: 'host-query-failed', path, detail: describeProcess('dpkg-query -W', described) });
    const owner = parseDpkgQuerySource(described.stdout.toString('utf8'), pkg);
    return owner.ok ? ok(owner.value) : err({ reason: 'host-query-failed', path, detail: owner.error });
  }

  return (path) => {
    let pending = cache.get(path);
    if (pending === undefined) {
      pending = query(path);
      cache.set(path, pending);
    }
    return pending;
  };
}
