// The recorded provenance `rebuild` works from: what the build cache published (one BuiltLibrary
// per cache key, with the `-cross` packages it Depends on) and what the application packages of
// the output repository embed. Read from the packages' own control fields, as the repository
// indexed them; anything unreadable is a problem with its location, not a silent gap.
import { parseDeb822 } from '../control/deb822.js';
import { parseRelations } from '../control/relation.js';
import type { SourceLocation } from '../model/location.js';
import type { BuiltApplication, BuiltLibrary, PackageRef } from '../plan/affected.js';
import type { PublishedEntry } from './apt-index.js';
import { ORIG_ONLY_NOTE } from './cross-package.js';
import { embedsOfParagraph, type EmbedsProblem } from './embeds-query.js';

/** A published package whose control could not be read as provenance (messages: cli/cache-messages.ts). */
export type ProvenanceProblem = { readonly location: SourceLocation } & (
  | { readonly reason: 'control-unreadable'; readonly package: string }
  /** `detail`: what the relation parser said of its Depends. */
  | { readonly reason: 'invalid-depends'; readonly package: string; readonly detail: string }
  | { readonly reason: 'empty-control' }
  /** `detail`: what the deb822 parser said. */
  | { readonly reason: 'malformed-control'; readonly detail: string }
);

/** One BuiltLibrary per published key. */
export function librariesOfEntries(entries: readonly PublishedEntry[], poolFile: (entry: PublishedEntry) => string): { libraries: BuiltLibrary[]; problems: ProvenanceProblem[] } {
  const libraries: BuiltLibrary[] = [];
  const problems: ProvenanceProblem[] = [];
  for (const entry of entries) {
    const file = poolFile(entry);
    const depends: PackageRef[] = [];
    for (const deb of entry.debs) {
      const parsed = parseDeb822(deb.control, { file: `${file}:${deb.package}` });
      const paragraph = parsed.ok ? parsed.value[0] : undefined;
      if (paragraph === undefined) {
        problems.push({ reason: 'control-unreadable', package: deb.package, location: { file } });
        continue;
      }
      const text = paragraph.get('Depends');
      if (text === undefined) continue;
      const relations = parseRelations(text, { file: `${file}:${deb.package}`, line: paragraph.field('Depends')?.line ?? 1 });
      if (!relations.ok) {
        problems.push({ reason: 'invalid-depends', package: deb.package, detail: relations.error.message, location: relations.error.location });
        continue;
      }
      for (const group of relations.value) {
        for (const r of group) depends.push(r.version?.op === '=' ? { name: r.name, version: r.version.version } : { name: r.name });
      }
    }
    const suites = entry.debs.map((d) => suitesOf(d.control)).find((x) => x !== undefined);
    libraries.push({
      key: entry.key, source: entry.meta.source, sourceVersion: entry.meta.sourceVersion, arch: entry.meta.arch,
      packages: entry.debs.map((d) => ({ name: d.package, version: d.version })), depends, publishedAt: entry.publishedAt,
      ...(suites === undefined ? {} : { suites }), ...(entry.meta.note === ORIG_ONLY_NOTE ? { origOnly: true } : {}),
    });
  }
  return { libraries, problems };
}

/** An application package's control (from the output repository) as a BuiltApplication. */
export function applicationOfControl(control: string, file: string): { application?: BuiltApplication; problems: readonly (EmbedsProblem | ProvenanceProblem)[] } {
  const parsed = parseDeb822(control, { file });
  const p = parsed.ok ? parsed.value[0] : undefined;
  if (!parsed.ok || p === undefined) return { problems: [parsed.ok ? { reason: 'empty-control', location: { file } } : { reason: 'malformed-control', detail: parsed.error.message, location: { file } }] };
  const read = embedsOfParagraph(p, file);
  if (read.embeds === undefined) return { problems: read.problems };
  const sourceField = /^(\S+)(?:\s+\((\S+)\))?$/.exec(p.get('Source') ?? '');
  const target = p.get('X-Stubforge-Target');
  const suites = suitesOf(control);
  const maintainer = p.get('Maintainer');
  const application: BuiltApplication = {
    package: read.embeds.package, version: read.embeds.version,
    arch: p.get('X-Stubforge-Arch') ?? read.embeds.architecture,
    source: sourceField?.[1] ?? read.embeds.package,
    sourceVersion: sourceField?.[2] ?? read.embeds.version.replace(/\+(b|stubforge)\d+$/, ''),
    ...(target === undefined ? {} : { target }),
    embeds: read.embeds.embeds.filter((e) => e.via.some((v) => v !== 'X-Stubforge-Source')).map((e) => ({ source: e.source, version: e.version })),
    origin: file,
    ...(suites === undefined ? {} : { suites }), ...(maintainer === undefined ? {} : { maintainer }),
  };
  return { application, problems: read.problems };
}

/** X-Stubforge-Suites of a package's control text, as a list. */
function suitesOf(control: string): string[] | undefined {
  const m = /^X-Stubforge-Suites:[ \t]*(\S.*)$/m.exec(control);
  return m?.[1] === undefined ? undefined : m[1].trim().split(/\s+/);
}
