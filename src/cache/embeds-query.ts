// "Which packages embed source X?" (pure): what a binary package says it embeds, read from its
// control paragraph, and the matching of a query `<source> [<op> <version>]` against it.
//
// A package embeds a source when
// - its `Static-Built-Using` or `Built-Using` names it with an exact version (Policy §7.8,
//   deb-control(5)) — the application `.deb`s, and Debian's own statically linked packages;
// - it is a stubforge `-cross` package whose provenance (`X-Stubforge-Source`,
//   `X-Stubforge-Source-Version`) says it was built from it: its static libraries are the source.
// A field that cannot be read (bad syntax, a relation without `(= version)`, an invalid version)
// is a problem value naming the file and line, never skipped: an answer to a security question
// that silently left a package out would be worse than no answer.
import type { Paragraph } from '../control/deb822.js';
import { parseRelations } from '../control/relation.js';
import type { SourceLocation } from '../model/location.js';
import type { VersionConstraint, VersionOperator } from '../model/relation.js';
import { err, ok, type Result } from '../model/result.js';
import { checkConstraint, compareVersionStrings, parseVersion } from '../version/index.js';

export type EmbedVia = 'Static-Built-Using' | 'Built-Using' | 'X-Stubforge-Source';

/** Fields read, in the order they are reported. */
export const EMBED_FIELDS: readonly EmbedVia[] = ['Static-Built-Using', 'Built-Using', 'X-Stubforge-Source'];

export interface Embedding {
  readonly source: string;
  readonly version: string;
  /** Every field that names this source at this version. */
  readonly via: readonly EmbedVia[];
}

export interface PackageEmbeds {
  readonly package: string;
  readonly version: string;
  readonly architecture: string;
  /** Where the paragraph was read: a `.deb`, a Packages index (with its line), a pool entry. */
  readonly origin: SourceLocation;
  /** Sorted by source, then version. */
  readonly embeds: readonly Embedding[];
}

/** A field of a package's provenance that could not be read (messages: cli/cache-messages.ts). */
export type EmbedsProblem =
  /** `of`: a field every paragraph needs, or the half of the provenance pair that is missing. */
  | { readonly reason: 'missing-field'; readonly field: string; readonly of: 'paragraph' | 'provenance'; readonly location: SourceLocation }
  /** `detail`: what the relation parser said. */
  | { readonly reason: 'invalid-relation'; readonly field: string; readonly detail: string; readonly location: SourceLocation }
  | { readonly reason: 'not-exact'; readonly field: string; readonly relation: string; readonly location: SourceLocation }
  /** `detail`: what the version parser said. */
  | { readonly reason: 'invalid-version'; readonly field: string; readonly version: string; readonly detail: string; readonly location: SourceLocation };

export interface EmbedsOfParagraph {
  /** Undefined when the paragraph lacks Package, Version or Architecture. */
  readonly embeds?: PackageEmbeds;
  readonly problems: readonly EmbedsProblem[];
}

export interface EmbedQuery {
  readonly source: string;
  readonly constraint?: VersionConstraint;
}

/** Why the words of a query are not one (messages: cli/cache-messages.ts). */
export type QueryError =
  /** One word with a parenthesis that is not one relation `source (op version)`; `detail`: the relation parser's, when it failed. */
  | { readonly reason: 'not-one-relation'; readonly text: string; readonly detail?: string }
  | { readonly reason: 'no-source' }
  | { readonly reason: 'bad-source-name'; readonly source: string }
  | { readonly reason: 'bad-operator'; readonly op: string; readonly operators: readonly string[] }
  | { readonly reason: 'no-version'; readonly op: string }
  | { readonly reason: 'extra-words'; readonly extra: readonly string[] }
  | { readonly reason: 'invalid-version'; readonly version: string; readonly detail: string };

export interface EmbedMatch {
  readonly package: string;
  readonly version: string;
  readonly architecture: string;
  readonly origin: SourceLocation;
  readonly source: string;
  readonly sourceVersion: string;
  readonly via: readonly EmbedVia[];
}

const OPERATORS: readonly VersionOperator[] = ['<<', '<=', '=', '>=', '>>'];
const SOURCE_NAME_RE = /^[a-z0-9][a-z0-9.+-]+$/;

/** `zlib`, `zlib '<<' 1:1.3` (three words), or one relation as Debian writes it: `'zlib (<< 1:1.3)'`. */
export function parseEmbedsQuery(words: readonly string[]): Result<EmbedQuery, QueryError> {
  if (words.length === 1 && words[0]?.includes('(') === true) {
    const text = words[0];
    const parsed = parseRelations(text, { file: 'query' });
    const [group, more] = parsed.ok ? parsed.value : [];
    const relation = group?.[0];
    if (!parsed.ok || relation === undefined || group?.length !== 1 || more !== undefined || relation.archs !== undefined || relation.profiles !== undefined || relation.archQualifier !== undefined) {
      return err({ reason: 'not-one-relation', text, ...(parsed.ok ? {} : { detail: parsed.error.message }) });
    }
    return relation.version === undefined ? ok({ source: relation.name }) : ok({ source: relation.name, constraint: relation.version });
  }
  const [source, op, version, ...extra] = words;
  if (source === undefined) return err({ reason: 'no-source' });
  if (!SOURCE_NAME_RE.test(source)) return err({ reason: 'bad-source-name', source });
  if (op === undefined) return ok({ source });
  if (!OPERATORS.includes(op as VersionOperator)) return err({ reason: 'bad-operator', op, operators: OPERATORS });
  if (version === undefined) return err({ reason: 'no-version', op });
  if (extra.length > 0) return err({ reason: 'extra-words', extra });
  const parsed = parseVersion(version);
  if (!parsed.ok) return err({ reason: 'invalid-version', version, detail: parsed.error.message });
  return ok({ source, constraint: { op: op as VersionOperator, version: parsed.value.text } });
}

/** What one control paragraph says it embeds, with every field it could not read. */
export function embedsOfParagraph(p: Paragraph, file: string): EmbedsOfParagraph {
  const problems: EmbedsProblem[] = [];
  const at = (field: string): SourceLocation => ({ file, line: p.field(field)?.line ?? p.line });
  const pkg = p.get('Package');
  const version = p.get('Version');
  const architecture = p.get('Architecture');
  for (const [name, value] of [['Package', pkg], ['Version', version], ['Architecture', architecture]] as const) {
    if (value === undefined) problems.push({ reason: 'missing-field', field: name, of: 'paragraph', location: { file, line: p.line } });
  }
  const found = new Map<string, { source: string; version: string; via: EmbedVia[] }>();
  const add = (source: string, v: string, via: EmbedVia): void => {
    const id = `${source}\0${v}`;
    const entry = found.get(id) ?? { source, version: v, via: [] };
    if (!entry.via.includes(via)) entry.via.push(via);
    found.set(id, entry);
  };

  for (const field of ['Static-Built-Using', 'Built-Using'] as const) {
    const text = p.get(field);
    if (text === undefined) continue;
    const relations = parseRelations(text, at(field));
    if (!relations.ok) {
      problems.push({ reason: 'invalid-relation', field, detail: relations.error.message, location: relations.error.location });
      continue;
    }
    for (const group of relations.value) {
      for (const r of group) {
        if (r.version?.op !== '=') {
          problems.push({ reason: 'not-exact', field, relation: r.text, location: at(field) });
          continue;
        }
        add(r.name, r.version.version, field);
      }
    }
  }

  const source = p.get('X-Stubforge-Source');
  const sourceVersion = p.get('X-Stubforge-Source-Version');
  if (source !== undefined || sourceVersion !== undefined) {
    if (source === undefined || sourceVersion === undefined) {
      const missing = source === undefined ? 'X-Stubforge-Source' : 'X-Stubforge-Source-Version';
      problems.push({ reason: 'missing-field', field: missing, of: 'provenance', location: at(source === undefined ? 'X-Stubforge-Source-Version' : 'X-Stubforge-Source') });
    } else {
      const parsed = parseVersion(sourceVersion, at('X-Stubforge-Source-Version'));
      if (!parsed.ok) {
        problems.push({ reason: 'invalid-version', field: 'X-Stubforge-Source-Version', version: sourceVersion, detail: parsed.error.message, location: at('X-Stubforge-Source-Version') });
      } else {
        add(source, parsed.value.text, 'X-Stubforge-Source');
      }
    }
  }

  if (pkg === undefined || version === undefined || architecture === undefined) return { problems };
  const embeds = [...found.values()].sort((a, b) => compareText(a.source, b.source) || orderVersions(a.version, b.version));
  return { embeds: { package: pkg, version, architecture, origin: { file, line: p.line }, embeds }, problems };
}

/**
 * Every (package, embedded version) pair that matches the query, sorted by package, then by
 * package version (dpkg's order), then by origin. The embedded versions were validated when read,
 * so the constraint check always answers.
 */
export function matchEmbeds(packages: readonly PackageEmbeds[], query: EmbedQuery): EmbedMatch[] {
  const out: EmbedMatch[] = [];
  for (const p of packages) {
    for (const e of p.embeds) {
      if (e.source !== query.source) continue;
      if (query.constraint !== undefined) {
        const v = parseVersion(e.version);
        if (!v.ok) continue; // cannot happen: embedsOfParagraph only keeps valid versions
        const satisfied = checkConstraint(v.value, query.constraint);
        if (!satisfied.ok || !satisfied.value) continue;
      }
      out.push({ package: p.package, version: p.version, architecture: p.architecture, origin: p.origin, source: e.source, sourceVersion: e.version, via: e.via });
    }
  }
  return out.sort((a, b) => compareText(a.package, b.package) || orderVersions(a.version, b.version)
    || compareText(a.architecture, b.architecture) || compareText(a.origin.file, b.origin.file) || (a.origin.line ?? 0) - (b.origin.line ?? 0));
}

/** The same package read from two inputs (a .deb and the index naming it) counts once. */
export function dedupeMatches(matches: readonly EmbedMatch[]): EmbedMatch[] {
  const seen = new Set<string>();
  return matches.filter((m) => {
    const id = [m.package, m.version, m.architecture, m.source, m.sourceVersion].join('\0');
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

export function describeQuery(query: EmbedQuery): string {
  return query.constraint === undefined ? `${query.source} (any version)` : `${query.source} (${query.constraint.op} ${query.constraint.version})`;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** dpkg's order where both versions are valid; text order otherwise (a package's own Version is not checked here). */
function orderVersions(a: string, b: string): number {
  const c = compareVersionStrings(a, b);
  return c.ok ? c.value : compareText(a, b);
}
