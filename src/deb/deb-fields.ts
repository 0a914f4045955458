// Control-file fields of a binary package: validation (Debian Policy §5.1, §5.6.1, §5.6.12,
// §5.6.13) and output in the order dpkg writes them. Pure: no I/O.
//
// The order is dpkg's own (Dpkg::Control::FieldsCore %FIELD_ORDER, dpkg 1.21.23): the known
// fields of CTRL_PKG_DEB in their listed order, then every other field sorted by name with Perl's
// `cmp` (Dpkg::Control::HashCore::output). So `X-Stubforge-*` fields come *after* Description,
// exactly as `dpkg-gencontrol` puts `XB-` fields of debian/control (checked with dpkg-gencontrol).
import { err, ok, type Result } from '../model/result.js';
import type { SourceLocation } from '../model/location.js';
import { parseVersion } from '../version/index.js';

/**
 * Why a package description cannot become a .deb, with what is wrong as data (the name, path or
 * field concerned, which rule it breaks); the messages are rendered in cli/deb-messages.ts.
 * `location`: where the description came from (recipe, arch file), or a `deb(<package>)` label.
 */
export type DebLayoutError = DebLayoutProblem & { readonly location: SourceLocation };

export type DebLayoutProblem =
  | { readonly reason: 'invalid-package-name'; readonly name: string }
  | { readonly reason: 'invalid-architecture'; readonly architecture: string }
  /** `parseError`: what the version parser said; absent when the version only has surrounding blanks. */
  | { readonly reason: 'invalid-version'; readonly problem: 'syntax'; readonly version: string; readonly parseError?: string }
  | { readonly reason: 'invalid-version'; readonly problem: 'rebuild-number'; readonly rebuild: number }
  | { readonly reason: 'invalid-field-name'; readonly field: string }
  | { readonly reason: 'invalid-field-value'; readonly field: string; readonly problem: 'control-characters' | 'empty' | 'blank-continuation-line' }
  | { readonly reason: 'duplicate-field'; readonly field: string }
  | { readonly reason: 'computed-field'; readonly field: string }
  | { readonly reason: 'invalid-description'; readonly problem: 'empty-synopsis' | 'multi-line-synopsis' }
  | { readonly reason: 'invalid-description'; readonly problem: 'long-synopsis'; readonly length: number }
  /** `line`: 1-based, of the extended description. */
  | { readonly reason: 'invalid-description'; readonly problem: 'newline-in-line' | 'tab-in-line' | 'only-full-stops'; readonly line: number }
  | { readonly reason: 'invalid-path'; readonly problem: 'empty' | 'control-character' | 'bad-component' | 'control-area'; readonly path: string }
  | { readonly reason: 'invalid-path'; readonly problem: 'file-without-sums'; readonly path: string }
  | { readonly reason: 'invalid-path'; readonly problem: 'empty-target' | 'control-character-in-target'; readonly link: string; readonly target: string }
  | { readonly reason: 'path-needs-pax'; readonly problem: 'not-ascii' | 'too-long'; readonly path: string }
  | { readonly reason: 'path-needs-pax'; readonly problem: 'target-too-long'; readonly link: string; readonly target: string }
  | { readonly reason: 'duplicate-path'; readonly path: string }
  /** `path` is a `type` (file, symlink) but `child` needs it to be a directory. */
  | { readonly reason: 'path-conflict'; readonly path: string; readonly type: string; readonly child: string }
  | { readonly reason: 'invalid-conffile'; readonly problem: 'not-a-file' | 'listed-twice'; readonly conffile: string }
  | { readonly reason: 'invalid-source-date-epoch'; readonly value: number };

export interface ControlField {
  readonly name: string;
  readonly value: string;
}

/** Binary package control file (`DEBIAN/control`) order: CTRL_PKG_DEB. */
const DEB_ORDER = [
  'Package', 'Package-Type', 'Source', 'Version', 'Kernel-Version', 'Built-For-Profiles',
  'Auto-Built-Package', 'Architecture', 'Subarchitecture', 'Installer-Menu-Item',
  'Build-Essential', 'Essential', 'Protected', 'Origin', 'Bugs', 'Maintainer', 'Installed-Size',
  'Pre-Depends', 'Depends', 'Recommends', 'Suggests', 'Enhances', 'Conflicts', 'Breaks',
  'Replaces', 'Provides', 'Built-Using', 'Static-Built-Using',
  'Section', 'Priority', 'Multi-Arch', 'Homepage', 'Description', 'Tag', 'Task',
] as const;

/** Repository `Packages` stanza order: CTRL_INDEX_PKG (file fields after the relations). */
const INDEX_ORDER = [
  ...DEB_ORDER.slice(0, DEB_ORDER.indexOf('Section')),
  'Filename', 'Size', 'MD5sum', 'SHA1', 'SHA256',
  ...DEB_ORDER.slice(DEB_ORDER.indexOf('Section')),
] as const;

export type FieldOrder = 'deb' | 'index';

const CANONICAL = new Map<string, string>(
  [...INDEX_ORDER].map((name) => [name.toLowerCase(), name]),
);

/** dpkg's spelling of a known field (`multi-arch` → `Multi-Arch`); other names unchanged. */
export function canonicalFieldName(name: string): string {
  return CANONICAL.get(name.toLowerCase()) ?? name;
}

/** Sort fields as dpkg outputs them: known ones by rank, then the rest by byte order of name. */
export function orderFields(fields: readonly ControlField[], order: FieldOrder): ControlField[] {
  const list: readonly string[] = order === 'deb' ? DEB_ORDER : INDEX_ORDER;
  const rank = new Map(list.map((name, i) => [name.toLowerCase(), i]));
  return [...fields].sort((a, b) => {
    const ra = rank.get(a.name.toLowerCase());
    const rb = rank.get(b.name.toLowerCase());
    if (ra !== undefined && rb !== undefined) return ra - rb;
    if (ra !== undefined) return -1;
    if (rb !== undefined) return 1;
    return compareBytes(a.name, b.name);
  });
}

export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Policy §5.6.1: at least two characters, lower-case alphanumerics and `+ - .`, alnum first. */
const PACKAGE_NAME_RE = /^[a-z0-9][a-z0-9+.-]+$/;
/** Policy §5.1: printable US-ASCII except space and colon, not starting with `#` or `-`. */
const FIELD_NAME_RE = /^[!-"$-,.-9;-~][!-9;-~]*$/;
/** dpkg architecture names: `all`, `amd64`, `musl-linux-amd64`, `rumprun-amd64` ... */
const ARCH_RE = /^[a-z0-9][a-z0-9-]*$/;

export function validatePackageName(name: string, location: SourceLocation): Result<string, DebLayoutError> {
  if (PACKAGE_NAME_RE.test(name)) return ok(name);
  return err({ reason: 'invalid-package-name', name, location });
}

export function validateArchitecture(arch: string, location: SourceLocation): Result<string, DebLayoutError> {
  if (ARCH_RE.test(arch)) return ok(arch);
  return err({ reason: 'invalid-architecture', architecture: arch, location });
}

/**
 * Policy §5.6.12 syntax, checked by version/'s parser (dpkg's parseversion rules, stricter where
 * dpkg only warns). Surrounding blanks are refused too: the text goes verbatim into the control
 * file and the .deb file name.
 */
export function validateVersion(version: string, location: SourceLocation): Result<string, DebLayoutError> {
  const parsed = parseVersion(version, location);
  if (!parsed.ok) return err({ reason: 'invalid-version', problem: 'syntax', version, parseError: parsed.error.message, location });
  if (parsed.value.text !== version) return err({ reason: 'invalid-version', problem: 'syntax', version, location });
  return ok(version);
}

export function validateFieldName(name: string, location: SourceLocation): Result<string, DebLayoutError> {
  if (FIELD_NAME_RE.test(name)) return ok(name);
  return err({ reason: 'invalid-field-name', field: name, location });
}

/**
 * A field value must survive a deb822 round trip unchanged: not empty (dpkg would drop the field),
 * no control characters, and every continuation line non-blank (a blank line ends the paragraph).
 */
export function validateFieldValue(name: string, value: string, location: SourceLocation): Result<string, DebLayoutError> {
  const fail = (problem: 'control-characters' | 'empty' | 'blank-continuation-line'): Result<string, DebLayoutError> =>
    err({ reason: 'invalid-field-value', field: name, problem, location });
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(value)) return fail('control-characters');
  const lines = value.split('\n');
  if ((lines[0] ?? '').trim().length === 0 && lines.length === 1) return fail('empty');
  for (const line of lines.slice(1)) {
    if (line.trim().length === 0) return fail('blank-continuation-line');
  }
  return ok(value);
}

export interface PackageDescription {
  /** The one-line synopsis (Policy §5.6.13): lintian warns above 80 characters. */
  readonly synopsis: string;
  /**
   * Extended description lines, as shown: `''` is a paragraph break (written ` .`), a line
   * starting with a space is shown verbatim (written with two leading spaces).
   */
  readonly extended?: readonly string[];
}

export const SYNOPSIS_MAX = 80;

/** `Description` value per Policy §5.6.13: synopsis, then one continuation line per line. */
export function formatDescription(desc: PackageDescription, location: SourceLocation): Result<string, DebLayoutError> {
  const fail = (problem: 'empty-synopsis' | 'multi-line-synopsis'): Result<string, DebLayoutError> =>
    err({ reason: 'invalid-description', problem, location });
  const failLine = (problem: 'newline-in-line' | 'tab-in-line' | 'only-full-stops', line: number): Result<string, DebLayoutError> =>
    err({ reason: 'invalid-description', problem, line, location });
  const synopsis = desc.synopsis.trim();
  if (synopsis.length === 0) return fail('empty-synopsis');
  if (synopsis.includes('\n')) return fail('multi-line-synopsis');
  if (synopsis.length > SYNOPSIS_MAX) return err({ reason: 'invalid-description', problem: 'long-synopsis', length: synopsis.length, location });
  const out = [synopsis];
  for (const [i, raw] of (desc.extended ?? []).entries()) {
    // dpkg strips trailing blanks of continuation lines when it writes a control file.
    const line = raw.replace(/\s+$/, '');
    if (line.includes('\n')) return failLine('newline-in-line', i + 1);
    if (line.includes('\t')) return failLine('tab-in-line', i + 1);
    if (/^\.+$/.test(line)) return failLine('only-full-stops', i + 1);
    out.push(line.length === 0 ? '.' : line);
  }
  return ok(out.join('\n'));
}

/** One field as dpkg writes it: `Name: first line`, then ` line` per continuation line. */
export function renderField(field: ControlField): string {
  const [first = '', ...rest] = field.value.split('\n');
  const head = first.length > 0 ? `${field.name}: ${first}` : `${field.name}:`;
  // Leading blanks of a continuation line are kept: in a Description they mark a verbatim line.
  return [head, ...rest.map((line) => ` ${line.replace(/\s+$/, '')}`)].join('\n') + '\n';
}

export function renderParagraph(fields: readonly ControlField[], order: FieldOrder): string {
  return orderFields(fields, order).map(renderField).join('');
}
