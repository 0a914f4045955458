// The file manifest of a launch configuration, in the style of OSv's `usr.manifest` (pure). OSv's
// semantics (scripts/manifest_common.py, scripts/module.py), kept here:
//   /guest/path: /host/path           one file; separator is ": " (the first one)
//   /etc/**: ${SOURCE}/etc/**          every file below the host directory, at the same relative
//                                      path below the guest directory (both sides end in /**)
//   /usr/lib/&/libfoo.so: ${B}/lib/&   guest `<prefix>/&/<suffix>` with host `<dir>/&` means guest
//                                      `<prefix>/<suffix>`, host `<dir>/<suffix>`: the `&` stands
//                                      for the guest path's tail (`/&/etc/hosts: static/&`)
//   ${NAME}                            substituted from the given variables, both sides
//   # comment, blank lines, `[manifest]`   ignored (a `#` only starts a comment at line start)
// Where OSv would quietly do something odd, this is an error with the line instead: a line without
// ": " (OSv crashes), a third ": " part (OSv drops it), `**` or `&` on one side only (OSv takes
// them literally), an undefined ${NAME}, a wildcard matching nothing, the same guest path twice
// (OSv keeps the last), and OSv's symlink (`->target`) and no-dereference (`!path`) host forms,
// which the stub domain's file systems (cookfs, a disk image, a package) do not carry.
import { posix } from 'node:path';
import type { SourceLocation } from '../model/location.js';
import { err, ok, type Result } from '../model/result.js';

export type ManifestLineKind = 'file' | 'tree' | 'tail';

export interface ManifestLine {
  readonly kind: ManifestLineKind;
  /** As written (variables not yet substituted). */
  readonly guest: string;
  readonly host: string;
  readonly location: SourceLocation;
}

export interface ManifestFile {
  readonly guestPath: string;
  readonly hostPath: string;
  /** The manifest line it came from. */
  readonly location: SourceLocation;
}

export type ManifestErrorReason =
  | 'missing-separator' | 'extra-separator' | 'empty-path' | 'relative-guest-path' | 'unsupported-syntax'
  | 'wildcard-mismatch' | 'misplaced-wildcard' | 'ampersand-mismatch' | 'malformed-variable'
  | 'undefined-variable' | 'relative-host-path' | 'invalid-guest-path' | 'missing-host-file'
  | 'host-is-directory' | 'wildcard-matches-nothing' | 'duplicate-guest-path';

export interface ManifestError {
  readonly reason: ManifestErrorReason;
  readonly detail: string;
  readonly text: string;
  readonly location: SourceLocation;
}

const COMMENT = /^[ \t]*(|#.*|\[manifest\])$/;
const SEPARATOR = ': ';
const VARIABLE = /\$\{([^}]*)\}/g;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function problem(reason: ManifestErrorReason, detail: string, text: string, location: SourceLocation): ManifestError {
  return { reason, detail, text, location };
}

function checkVariables(side: string, text: string, location: SourceLocation): ManifestError | undefined {
  for (const match of side.matchAll(VARIABLE)) {
    if (!VARIABLE_NAME.test(match[1] ?? '')) return problem('malformed-variable', `"${match[0]}" is not \${NAME}`, text, location);
  }
  if (side.replace(VARIABLE, '').includes('${')) return problem('malformed-variable', 'unterminated ${', text, location);
  return undefined;
}

function classify(guest: string, host: string, text: string, location: SourceLocation): ManifestLineKind | ManifestError {
  const guestTree = guest.endsWith('/**');
  const hostTree = host.endsWith('/**');
  if (guestTree !== hostTree) return problem('wildcard-mismatch', 'a /** wildcard must end both the guest and the host path', text, location);
  const strip = (p: string): string => (p.endsWith('/**') ? p.slice(0, -3) : p);
  if (strip(guest).includes('*') || strip(host).includes('*')) {
    return problem('misplaced-wildcard', 'the only wildcard is a final /** on both sides', text, location);
  }
  if (guestTree) return 'tree';
  const guestTail = guest.split('/').filter((s) => s === '&').length;
  const hostSegments = host.split('/');
  const hostTail = hostSegments.filter((s) => s === '&').length;
  if (guestTail === 0 && hostTail === 0) return 'file';
  if (guestTail === 1 && hostTail === 1 && hostSegments[hostSegments.length - 1] === '&' && guest.includes('/&/')) return 'tail';
  return problem('ampersand-mismatch', 'the & shorthand is one /&/ in the guest path and a final /& in the host path', text, location);
}

/** Parses every line; all problems are reported, each with its line. */
export function parseManifest(text: string, file: string): Result<ManifestLine[], ManifestError[]> {
  const lines: ManifestLine[] = [];
  const errors: ManifestError[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\s+$/, '');
    const location: SourceLocation = { file, line: index + 1 };
    if (COMMENT.test(line)) return;
    const at = line.indexOf(SEPARATOR);
    if (at < 0) {
      errors.push(problem('missing-separator', 'expected "/guest/path: /host/path"', line, location));
      return;
    }
    const guest = line.slice(0, at).trim();
    const host = line.slice(at + SEPARATOR.length).trim();
    if (host.includes(SEPARATOR)) {
      errors.push(problem('extra-separator', 'more than one ": " on the line', line, location));
      return;
    }
    if (guest === '' || host === '') {
      errors.push(problem('empty-path', 'both the guest and the host path are needed', line, location));
      return;
    }
    if (host.startsWith('->') || host.startsWith('!')) {
      errors.push(problem('unsupported-syntax', 'OSv\'s symlink (->) and no-dereference (!) forms are not supported: list the file itself', line, location));
      return;
    }
    if (!guest.startsWith('/') && !guest.startsWith('${')) {
      errors.push(problem('relative-guest-path', 'guest paths are absolute', line, location));
      return;
    }
    const badVariable = checkVariables(guest, line, location) ?? checkVariables(host, line, location);
    if (badVariable !== undefined) {
      errors.push(badVariable);
      return;
    }
    const kind = classify(guest, host, line, location);
    if (typeof kind !== 'string') {
      errors.push(kind);
      return;
    }
    lines.push({ kind, guest, host, location });
  });
  return errors.length > 0 ? err(errors) : ok(lines);
}

export interface ExpandInput {
  readonly variables: Readonly<Record<string, string>>;
  /** Every host file the manifest may name: absolute paths (the walk of ${SOURCE} and the build tree). */
  readonly files: readonly string[];
}

function substitute(side: string, line: ManifestLine, variables: Readonly<Record<string, string>>): string | ManifestError {
  let missing: string | undefined;
  const out = side.replace(VARIABLE, (whole, name: string) => {
    const value = Object.hasOwn(variables, name) ? variables[name] : undefined;
    if (value === undefined) {
      missing ??= name;
      return whole;
    }
    return value;
  });
  if (missing !== undefined) {
    const known = Object.keys(variables).sort().join(' ') || 'none';
    return problem('undefined-variable', `no value for \${${missing}} (known: ${known})`, `${line.guest}: ${line.host}`, line.location);
  }
  return out;
}

function guestProblem(guest: string, line: ManifestLine): ManifestError | undefined {
  const segments = guest.split('/').slice(1);
  if (!guest.startsWith('/') || segments.some((s) => s === '' || s === '.' || s === '..')) {
    return problem('invalid-guest-path', `"${guest}" is not a normalised absolute path`, `${line.guest}: ${line.host}`, line.location);
  }
  return undefined;
}

/** Expands the lines against the given file list into a sorted list of files, or every problem. */
export function expandManifest(lines: readonly ManifestLine[], input: ExpandInput): Result<ManifestFile[], ManifestError[]> {
  const files = new Set(input.files.map((f) => posix.normalize(f)));
  const sortedFiles = [...files].sort();
  const out = new Map<string, ManifestFile>();
  const errors: ManifestError[] = [];
  const add = (guestPath: string, hostPath: string, line: ManifestLine): void => {
    const bad = guestProblem(guestPath, line);
    if (bad !== undefined) {
      errors.push(bad);
      return;
    }
    const earlier = out.get(guestPath);
    if (earlier !== undefined) {
      errors.push(problem('duplicate-guest-path', `${guestPath} is already given on line ${String(earlier.location.line)}`, `${line.guest}: ${line.host}`, line.location));
      return;
    }
    out.set(guestPath, { guestPath, hostPath, location: line.location });
  };
  for (const line of lines) {
    const guest = substitute(line.guest, line, input.variables);
    const host = substitute(line.host, line, input.variables);
    if (typeof guest !== 'string') { errors.push(guest); continue; }
    if (typeof host !== 'string') { errors.push(host); continue; }
    const text = `${line.guest}: ${line.host}`;
    if (!host.startsWith('/')) {
      errors.push(problem('relative-host-path', `host path "${host}" is relative: anchor it with a variable such as \${SOURCE}`, text, line.location));
      continue;
    }
    if (line.kind === 'tree') {
      const hostDir = posix.normalize(host.slice(0, -3)).replace(/\/$/, '');
      const guestDir = guest.slice(0, -3);
      const below = sortedFiles.filter((f) => f.startsWith(`${hostDir}/`));
      if (below.length === 0) errors.push(problem('wildcard-matches-nothing', `no file below ${hostDir}`, text, line.location));
      for (const f of below) add(`${guestDir}/${f.slice(hostDir.length + 1)}`, f, line);
      continue;
    }
    let guestPath = guest;
    let hostPath = posix.normalize(host);
    if (line.kind === 'tail') {
      const at = guest.indexOf('/&/');
      const tail = guest.slice(at + 3);
      guestPath = `${guest.slice(0, at)}/${tail}`;
      hostPath = posix.normalize(`${host.slice(0, -1)}${tail}`);
    }
    if (!files.has(hostPath)) {
      const isDir = sortedFiles.some((f) => f.startsWith(`${hostPath}/`));
      errors.push(isDir
        ? problem('host-is-directory', `${hostPath} is a directory: use "${guestPath}/**: ${hostPath}/**"`, text, line.location)
        : problem('missing-host-file', `${hostPath} is not among the files`, text, line.location));
      continue;
    }
    add(guestPath, hostPath, line);
  }
  if (errors.length > 0) return err(errors);
  return ok([...out.values()].sort((a, b) => (a.guestPath < b.guestPath ? -1 : a.guestPath > b.guestPath ? 1 : 0)));
}

export function describeManifestError(error: ManifestError): string {
  const where = error.location.line === undefined ? error.location.file : `${error.location.file}:${String(error.location.line)}`;
  return `${where}: ${error.detail} ("${error.text}")`;
}
