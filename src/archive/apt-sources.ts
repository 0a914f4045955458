// The machine's apt configuration, read the way mmdebstrap and sbuild read it: deb822 `*.sources`
// files and one-line `sources.list` entries. stubforge never carries a mirror name of its own:
// the URL of each suite comes from the entry that lists it (the security suite lives under
// another base URL), or from the user. Parsing is pure; loadAptSources is the small I/O part.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDeb822, type Paragraph } from '../control/deb822.js';
import type { SourceLocation } from '../model/location.js';
import { err, ok, type Result } from '../model/result.js';
import type { BadConfigError } from './errors.js';

/** Who may sign a suite's InRelease, as the entry's Signed-By says. */
export type SignedBy =
  | { readonly kind: 'keyrings'; readonly paths: readonly string[] }
  /** An armored key block written into the entry itself (deb822 only). */
  | { readonly kind: 'inline-key'; readonly armored: string }
  /** Fingerprints: keys from the default keyring, restricted to these. */
  | { readonly kind: 'fingerprints'; readonly fingerprints: readonly string[] };

export interface AptEntry {
  readonly types: readonly ('deb' | 'deb-src')[];
  readonly uris: readonly string[];
  readonly suites: readonly string[];
  readonly components: readonly string[];
  readonly signedBy?: SignedBy;
  readonly enabled: boolean;
  /** Every other option (Architectures, Check-Valid-Until ...), lower-cased name → value; kept, not used. */
  readonly options: Readonly<Record<string, string>>;
  readonly location: SourceLocation;
}

const FINGERPRINT = /^[0-9A-Fa-f]{40}!?$/;
const KNOWN_TYPES = new Set(['deb', 'deb-src']);

type Parsed<T> = Result<T, BadConfigError>;

function bad(message: string, file: string, line: number): Parsed<never> {
  return err({ reason: 'bad-config', message, location: { file, line } });
}

function words(value: string): string[] {
  return value.split(/\s+/).filter((w) => w !== '');
}

/** Signed-By: an armored key block, or a list of absolute keyring paths or fingerprints. */
export function parseSignedBy(value: string, file: string, line: number): Parsed<SignedBy> {
  if (value.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----')) {
    // deb822 keeps an empty continuation line as "."; the armor needs the blank line back.
    const armored = value.split('\n').map((l) => (l === '.' ? '' : l)).join('\n');
    return ok({ kind: 'inline-key', armored });
  }
  const items = value.split(/[\s,]+/).filter((w) => w !== '');
  if (items.length === 0) return bad('Signed-By is empty', file, line);
  if (items.every((i) => FINGERPRINT.test(i))) return ok({ kind: 'fingerprints', fingerprints: items });
  const relative = items.find((i) => !i.startsWith('/'));
  if (relative !== undefined) return bad(`Signed-By "${relative}" is neither an absolute path nor a fingerprint`, file, line);
  return ok({ kind: 'keyrings', paths: items });
}

function checkTypes(types: readonly string[], file: string, line: number): Parsed<('deb' | 'deb-src')[]> {
  const unknown = types.find((t) => !KNOWN_TYPES.has(t));
  if (unknown !== undefined) return bad(`unknown type "${unknown}" (deb or deb-src)`, file, line);
  if (types.length === 0) return bad('no type (deb or deb-src)', file, line);
  return ok(types as ('deb' | 'deb-src')[]);
}

function checkSuites(suites: readonly string[], components: readonly string[], file: string, line: number): Parsed<true> {
  if (suites.length === 0) return bad('no suite', file, line);
  const flat = suites.find((s) => s.endsWith('/'));
  // A flat repository ("./") has no dists/<suite>/<component>/ tree: nothing stubforge can read.
  if (flat !== undefined) return bad(`flat repository suite "${flat}" is not supported`, file, line);
  if (components.length === 0) return bad('no component', file, line);
  return ok(true);
}

function deb822Entry(p: Paragraph, file: string): Parsed<AptEntry> {
  const required = (name: string): Parsed<{ words: string[]; line: number }> => {
    const field = p.field(name);
    if (field === undefined) return bad(`entry has no ${name} field`, file, p.line);
    return ok({ words: words(field.value), line: field.line });
  };
  const types = required('Types');
  if (!types.ok) return types;
  const uris = required('URIs');
  if (!uris.ok) return uris;
  const suites = required('Suites');
  if (!suites.ok) return suites;
  const components = words(p.get('Components') ?? '');
  const checkedTypes = checkTypes(types.value.words, file, types.value.line);
  if (!checkedTypes.ok) return checkedTypes;
  if (uris.value.words.length === 0) return bad('URIs is empty', file, uris.value.line);
  const suitesOk = checkSuites(suites.value.words, components, file, suites.value.line);
  if (!suitesOk.ok) return suitesOk;
  let signedBy: SignedBy | undefined;
  const signedField = p.field('Signed-By');
  if (signedField !== undefined) {
    const parsed = parseSignedBy(signedField.value, file, signedField.line);
    if (!parsed.ok) return parsed;
    signedBy = parsed.value;
  }
  const enabledValue = p.get('Enabled')?.trim().toLowerCase();
  if (enabledValue !== undefined && enabledValue !== 'yes' && enabledValue !== 'no') {
    return bad(`Enabled must be yes or no, not "${enabledValue}"`, file, p.field('Enabled')?.line ?? p.line);
  }
  const handled = new Set(['types', 'uris', 'suites', 'components', 'signed-by', 'enabled']);
  const options: Record<string, string> = {};
  for (const f of p.fields) if (!handled.has(f.name.toLowerCase())) options[f.name.toLowerCase()] = f.value;
  return ok({
    types: checkedTypes.value, uris: uris.value.words, suites: suites.value.words, components,
    enabled: enabledValue !== 'no', options, location: { file, line: p.line },
    ...(signedBy === undefined ? {} : { signedBy }),
  });
}

/** A deb822 `*.sources` file: one entry per paragraph, `#` comments allowed. */
export function parseDeb822Sources(text: string, file: string): Parsed<AptEntry[]> {
  const paragraphs = parseDeb822(text, { file, comments: true });
  if (!paragraphs.ok) return err({ reason: 'bad-config', message: paragraphs.error.message, location: paragraphs.error.location });
  const entries: AptEntry[] = [];
  for (const p of paragraphs.value) {
    const entry = deb822Entry(p, file);
    if (!entry.ok) return entry;
    entries.push(entry.value);
  }
  return ok(entries);
}

/** `[ opt=value opt2=value ]` right after the type; returns the options and the remaining words. */
function splitOptions(rest: string, file: string, line: number): Parsed<{ options: Map<string, string>; words: string[] }> {
  const options = new Map<string, string>();
  let text = rest.trimStart();
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1) return bad('"[" without "]"', file, line);
    for (const option of words(text.slice(1, close))) {
      const m = /^([A-Za-z0-9_.-]+)([+-]?=)(.*)$/.exec(option);
      if (m === null) return bad(`malformed option "${option}"`, file, line);
      options.set((m[1] ?? '').toLowerCase(), m[3] ?? '');
    }
    text = text.slice(close + 1);
  }
  return ok({ options, words: words(text) });
}

/** A one-line `sources.list` file: `deb [opts] uri suite component...`, `#` starts a comment. */
export function parseOneLineSources(text: string, file: string): Parsed<AptEntry[]> {
  const entries: AptEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const hash = (lines[i] ?? '').indexOf('#');
    const line = (hash === -1 ? lines[i] ?? '' : (lines[i] ?? '').slice(0, hash)).trim();
    if (line === '') continue;
    const type = /^\S+/.exec(line)?.[0] ?? '';
    const types = checkTypes([type], file, lineNo);
    if (!types.ok) return types;
    const split = splitOptions(line.slice(type.length), file, lineNo);
    if (!split.ok) return split;
    const [uri, suite, ...components] = split.value.words;
    if (uri === undefined || suite === undefined) return bad('expected "<type> [options] <uri> <suite> <component>..."', file, lineNo);
    const suitesOk = checkSuites([suite], components, file, lineNo);
    if (!suitesOk.ok) return suitesOk;
    const { options } = split.value;
    let signedBy: SignedBy | undefined;
    const signedValue = options.get('signed-by');
    if (signedValue !== undefined) {
      const parsed = parseSignedBy(signedValue, file, lineNo);
      if (!parsed.ok) return parsed;
      signedBy = parsed.value;
    }
    options.delete('signed-by');
    entries.push({
      types: types.value, uris: [uri], suites: [suite], components, enabled: true,
      options: Object.fromEntries(options), location: { file, line: lineNo },
      ...(signedBy === undefined ? {} : { signedBy }),
    });
  }
  return ok(entries);
}

/** The file system calls the loader makes; tests pass a temp dir through the real ones. */
export interface AptConfigFs {
  readonly readFile: (path: string) => Promise<string>;
  readonly readdir: (path: string) => Promise<string[]>;
}

export const nodeAptConfigFs: AptConfigFs = {
  readFile: (path) => readFile(path, 'utf8'),
  readdir: (path) => readdir(path),
};

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Read `<aptDir>/sources.list` and `<aptDir>/sources.list.d/{*.list,*.sources}` in apt's order
 * (sources.list first, then the directory sorted by name; other extensions are ignored, as apt
 * ignores them). Returns every entry, disabled ones included, and the files read.
 */
export async function loadAptSources(
  aptDir = '/etc/apt',
  fs: AptConfigFs = nodeAptConfigFs,
): Promise<Parsed<{ entries: AptEntry[]; files: string[] }>> {
  const files: string[] = [];
  const entries: AptEntry[] = [];
  const load = async (path: string, parse: (t: string, f: string) => Parsed<AptEntry[]>): Promise<Parsed<true>> => {
    let text: string;
    try {
      text = await fs.readFile(path);
    } catch (error: unknown) {
      if (isMissing(error)) return ok(true);
      throw error;
    }
    files.push(path);
    const parsed = parse(text, path);
    if (!parsed.ok) return parsed;
    entries.push(...parsed.value);
    return ok(true);
  };
  const main = await load(join(aptDir, 'sources.list'), parseOneLineSources);
  if (!main.ok) return main;
  let names: string[] = [];
  try {
    names = (await fs.readdir(join(aptDir, 'sources.list.d'))).sort();
  } catch (error: unknown) {
    if (!isMissing(error)) throw error;
  }
  for (const name of names) {
    const path = join(aptDir, 'sources.list.d', name);
    const loaded = name.endsWith('.sources') ? await load(path, parseDeb822Sources)
      : name.endsWith('.list') ? await load(path, parseOneLineSources) : ok(true as const);
    if (!loaded.ok) return loaded;
  }
  return ok({ entries, files });
}
