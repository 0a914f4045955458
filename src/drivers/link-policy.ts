// What a build's output may hold besides files and directories, as pure verdicts over a listing
// (executor/builders/output-links.ts makes the listing). A `-cross` package is installed at / on the user's
// machine, so a symlink in it is judged where it will be: its target, read from the link's place in
// the installed tree (absolute targets from /), must name something the package itself ships,
// inside the staged prefix. `include/x.h -> /etc/shadow`, `../../../../etc/passwd` and
// `lib/libz.a -> /usr/lib/x86_64-linux-gnu/libz.a` (the build machine's glibc copy) all fail; so do
// device nodes, fifos, sockets and set-id files, which no static library package has a use for.
import type { SourceLocation } from '../model/location.js';

export type OutputEntryKind = 'file' | 'dir' | 'symlink' | 'other';

export interface OutputEntry {
  /** Relative to the output root: `usr/x86_64-linux-musl/lib/libz.a`. */
  readonly path: string;
  readonly kind: OutputEntryKind;
  /** A symlink's target, as written. */
  readonly target?: string;
  /** Permission bits (with setuid/setgid/sticky) of a file or directory. */
  readonly mode?: number;
  /** For `other`: what it is ("a character device"). */
  readonly what?: string;
  readonly location: SourceLocation;
}

export type LinkViolation =
  | { readonly reason: 'link-outside'; readonly file: string; readonly target: string; readonly resolved: string; readonly location: SourceLocation }
  | { readonly reason: 'link-dangling'; readonly file: string; readonly target: string; readonly resolved: string; readonly location: SourceLocation }
  | { readonly reason: 'link-loop'; readonly file: string; readonly target: string; readonly location: SourceLocation }
  | { readonly reason: 'special-file'; readonly file: string; readonly what: string; readonly location: SourceLocation }
  | { readonly reason: 'set-id-file'; readonly file: string; readonly mode: number; readonly location: SourceLocation };

const MAX_LINK_HOPS = 40;
const SET_ID_BITS = 0o6000;

type Resolution =
  | { readonly kind: 'inside'; readonly path: string }
  | { readonly kind: 'outside' | 'dangling'; readonly path: string }
  | { readonly kind: 'loop' };

/** Where a link at `from` pointing at `target` ends, entries' links followed (paths without a leading /). */
function resolveLink(from: string, target: string, entries: ReadonlyMap<string, OutputEntry>): Resolution {
  const parentOf = (p: string): string[] => p.split('/').slice(0, -1);
  let pending = [...(target.startsWith('/') ? [] : parentOf(from)), ...target.split('/')];
  const done: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift() ?? '';
    if (part === '' || part === '.') continue;
    if (part === '..') {
      // Above the installed root is the root itself (as the kernel resolves /..), but a link that
      // tries it is climbing out of its package: refuse rather than guess.
      if (done.length === 0) return { kind: 'outside', path: 'above /' };
      done.pop();
      continue;
    }
    done.push(part);
    const here = done.join('/');
    const entry = entries.get(here);
    if (entry === undefined) return { kind: 'dangling', path: `/${[...done, ...pending].join('/')}` };
    if (entry.kind === 'symlink') {
      hops += 1;
      if (hops > MAX_LINK_HOPS) return { kind: 'loop' };
      const next = entry.target ?? '';
      // A relative target is read from the link's folder (what `done` now holds), an absolute one from /.
      done.pop();
      if (next.startsWith('/')) done.length = 0;
      pending = [...next.split('/'), ...pending];
      continue;
    }
    if (entry.kind !== 'dir' && pending.some((p) => p !== '' && p !== '.')) return { kind: 'dangling', path: `/${[...done, ...pending].join('/')}` };
  }
  return { kind: 'inside', path: done.join('/') };
}

/**
 * The verdicts on every entry of an output: links must end inside `prefix` (`/usr/<triplet>`) at
 * something the output holds; no special files; no set-id bits.
 */
export function checkOutputEntries(entries: readonly OutputEntry[], prefix: string): LinkViolation[] {
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const base = prefix.replace(/^\/+|\/+$/g, '');
  const found: LinkViolation[] = [];
  for (const e of entries) {
    const { path: file, location } = e;
    if (e.kind === 'other') {
      found.push({ reason: 'special-file', file, what: e.what ?? 'not a file, directory or symlink', location });
      continue;
    }
    if (e.kind !== 'symlink') {
      if (e.mode !== undefined && (e.mode & SET_ID_BITS) !== 0 && e.kind === 'file') found.push({ reason: 'set-id-file', file, mode: e.mode & 0o7777, location });
      continue;
    }
    const target = e.target ?? '';
    const r = resolveLink(file, target, byPath);
    if (r.kind === 'loop') found.push({ reason: 'link-loop', file, target, location });
    else if (r.kind === 'outside') found.push({ reason: 'link-outside', file, target, resolved: r.path, location });
    else if (r.kind === 'dangling') {
      // A target under the prefix that is not there is a broken package; one elsewhere names the
      // installing machine's own file.
      const underPrefix = r.path.slice(1) === base || r.path.slice(1).startsWith(`${base}/`);
      found.push({ reason: underPrefix ? 'link-dangling' : 'link-outside', file, target, resolved: r.path, location });
    } else if (r.path !== base && !r.path.startsWith(`${base}/`)) {
      found.push({ reason: 'link-outside', file, target, resolved: `/${r.path}`, location });
    }
  }
  return found;
}

export function describeLinkViolation(v: LinkViolation): string {
  switch (v.reason) {
    case 'link-outside':
      return `${v.file}: symlink to ${v.target} leads to ${v.resolved}, outside what the package ships (installed, it would name the machine's own file)`;
    case 'link-dangling':
      return `${v.file}: symlink to ${v.target}, but the output has no ${v.resolved}`;
    case 'link-loop':
      return `${v.file}: symlink to ${v.target} never ends (a loop)`;
    case 'special-file':
      return `${v.file}: ${v.what}; a package of static libraries holds files, directories and symlinks only`;
    case 'set-id-file':
      return `${v.file}: mode ${v.mode.toString(8)} has the setuid/setgid bit`;
  }
}
