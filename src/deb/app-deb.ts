// The application package and its debug-symbols package, described before a byte is written
// (pure; docs/application-deb.md). What the binary embeds comes from the link's provenance (the
// archives the linker really used, attributed to their sources), never from the plan:
// - Static-Built-Using: every embedded source at its exact version (deb-control(5));
// - Built-Using: those whose licence requires the archive to keep them (copyright-licence.ts);
// - /usr/share/doc/<package>/copyright: every copyright file, aggregated (app-copyright.ts);
// - /usr/share/doc/<package>/<package>.spdx.json: the SPDX 2.3 document (spdx.ts);
// - /usr/share/lintian/overrides/<package>: the recipe's overrides and stubforge's own, with reasons.
// The version says the package is a stubforge rebuild of one exact source version (app-version.ts).
import type { SourceLocation } from '../model/location.js';
import { err, ok, type Result } from '../model/result.js';
import { aggregateCopyright, type CopyrightPart } from './app-copyright.js';
import { applicationVersion } from './app-version.js';
import { builtUsingDecision, readCopyrightLicences, type BuiltUsingDecision } from './copyright-licence.js';
import type { ControlField, DebLayoutError, PackageDescription } from './deb-fields.js';
import type { DataEntryInput, DebDescription } from './deb-layout.js';
import { spdxDocument, type SpdxToolchainPart, type SpdxTreeComponent } from './spdx.js';

export interface EmbeddedSource {
  readonly source: string;
  readonly version: string;
  readonly origin: 'closure' | 'toolchain-package';
  /** Binary packages whose archives were linked. */
  readonly packages: readonly string[];
  readonly copyright: { readonly text: string; readonly readFrom: string };
}

export interface LintianOverrideLine {
  /** `tag` or `tag context`, as lintian matches it. */
  readonly tag: string;
  readonly reason: string;
}

export interface ApplicationDebInput {
  readonly package: string;
  readonly description: PackageDescription;
  readonly section?: string;
  readonly source: { readonly name: string; readonly version: string; readonly copyright: string };
  /** Default: `<source version>~stubforge1`. A rebuild of the same source version passes its own. */
  readonly version?: string;
  /** Debian architecture of the machine that installs it (`amd64`). */
  readonly architecture: string;
  /** The partial arch it was built for (`musl-linux-amd64`): X-Stubforge-Arch. */
  readonly partialArch: string;
  readonly maintainer: string;
  /** The application recipe (`qemu-stubdom`): X-Stubforge-Target. */
  readonly target: string;
  /** The suites the build read, in order (the first is the build environment's): X-Stubforge-Suites, for `rebuild`. */
  readonly suites?: readonly string[];
  readonly recipeSha256: string;
  readonly cacheKey: string;
  /** From the link's provenance: sources whose code is in the binary. */
  readonly embedded: readonly EmbeddedSource[];
  /** The compiler's runtime (libgcc helpers): listed in the SPDX document, not in the fields. */
  readonly compilerRuntime?: readonly { readonly source: string; readonly version: string; readonly packages: readonly string[] }[];
  /** Toolchain-tree archives linked (rumprun): listed in the SPDX document, not in the fields. */
  readonly toolchainParts?: readonly SpdxToolchainPart[];
  /**
   * Components of that tree the image embeds (rumprun, src-netbsd ...), as the user stated them:
   * named in the SPDX document and the copyright file, each with its paragraph of the statement.
   */
  readonly treeComponents?: readonly (SpdxTreeComponent & { readonly statement: string })[];
  /** The image, launch files, changelog: paths relative to the package root. */
  readonly files: readonly DataEntryInput[];
  readonly lintianOverrides: readonly LintianOverrideLine[];
  /** The detached debug files (usr/lib/debug/.build-id/...) and their build-ids: a `-dbgsym` package. */
  readonly debug?: { readonly files: readonly DataEntryInput[]; readonly buildIds: readonly string[] };
  readonly sourceDateEpoch: number;
  /** `stubforge-<version>` for the SPDX document. */
  readonly tool: string;
  readonly origin?: SourceLocation;
}

export interface ApplicationDebs {
  readonly main: DebDescription;
  readonly dbgsym?: DebDescription;
  readonly version: string;
  readonly staticBuiltUsing: string;
  /** Absent when no embedded source's licence needs it. */
  readonly builtUsing?: string;
  /** Why each embedded source is or is not in Built-Using. */
  readonly decisions: ReadonlyMap<string, BuiltUsingDecision>;
  readonly spdx: string;
  readonly copyright: string;
}

export type AppDebError =
  | DebLayoutError
  | { readonly reason: 'duplicate-embedded-source'; readonly source: string; readonly versions: readonly string[]; readonly location: SourceLocation };

const relation = (s: { source: string; version: string }): string => `${s.source} (= ${s.version})`;

/** The provenance fields the local repository checks and `stubforge query`/`rebuild` read. */
export function provenanceFields(input: ApplicationDebInput): ControlField[] {
  return [
    { name: 'X-Stubforge-Source', value: input.source.name },
    { name: 'X-Stubforge-Source-Version', value: input.source.version },
    { name: 'X-Stubforge-Recipe-Sha256', value: input.recipeSha256 },
    { name: 'X-Stubforge-Cache-Key', value: input.cacheKey },
    { name: 'X-Stubforge-Arch', value: input.partialArch },
    { name: 'X-Stubforge-Target', value: input.target },
    ...(input.suites === undefined || input.suites.length === 0 ? [] : [{ name: 'X-Stubforge-Suites', value: input.suites.join(' ') }]),
  ];
}

/** The overrides file: each tag after a comment with its reason; stubforge's own fields last. */
export function lintianOverridesText(pkg: string, overrides: readonly LintianOverrideLine[], provenance: readonly string[]): string {
  const lines: string[] = [];
  for (const o of overrides) lines.push(`# ${o.reason}`, `${pkg} binary: ${o.tag}`, '');
  lines.push(
    '# Provenance of the rebuild (source, version, recipe hash, cache key, partial arch, recipe),',
    '# read by stubforge\'s repositories and shown by dpkg-deb --field and apt-cache show.',
    ...provenance.map((field) => `${pkg} binary: unknown-field ${field}`),
  );
  return `${lines.join('\n')}\n`;
}

export function describeApplicationDebs(input: ApplicationDebInput): Result<ApplicationDebs, AppDebError> {
  const location = input.origin ?? { file: `deb(${input.package})` };
  const version = input.version === undefined ? applicationVersion(input.source.version, 1, location) : ok(input.version);
  if (!version.ok) return version;
  const bySource = new Map<string, EmbeddedSource[]>();
  for (const e of input.embedded) bySource.set(e.source, [...(bySource.get(e.source) ?? []), e]);
  for (const [source, list] of bySource) {
    if (list.length > 1) {
      const versions = list.map((e) => e.version);
      return err({ reason: 'duplicate-embedded-source', source, versions, location });
    }
  }
  const embedded = [...input.embedded].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  const decisions = new Map<string, BuiltUsingDecision>();
  const licences = new Map(embedded.map((e) => [e.source, readCopyrightLicences(e.copyright.text, e.copyright.readFrom)]));
  for (const e of embedded) decisions.set(e.source, builtUsingDecision(licences.get(e.source) ?? { machineReadable: false, licenceTexts: new Map() }, e.copyright.text));
  const staticBuiltUsing = embedded.map(relation).join(', ');
  const kept = embedded.filter((e) => decisions.get(e.source)?.required === true);
  const builtUsing = kept.length === 0 ? undefined : kept.map(relation).join(', ');
  const doc = `usr/share/doc/${input.package}`;
  const provenance = provenanceFields(input);

  const parts: CopyrightPart[] = [
    { source: input.source.name, version: input.source.version, role: 'application', readFrom: `debian/copyright of ${input.source.name} ${input.source.version}`, text: input.source.copyright },
    ...embedded.map((e) => ({ source: e.source, version: e.version, role: e.origin, readFrom: e.copyright.readFrom, text: e.copyright.text })),
    ...(input.treeComponents ?? []).map((c) => ({ source: c.name, version: c.revision, role: 'toolchain-tree' as const, readFrom: `the components file of the ${c.tree} tree`, text: c.statement })),
  ];
  const copyright = aggregateCopyright({ package: input.package, version: version.value }, parts);
  const spdx = spdxDocument({
    package: input.package, version: version.value, architecture: input.architecture, sourceDateEpoch: input.sourceDateEpoch, tool: input.tool,
    sources: [
      { source: input.source.name, version: input.source.version, role: 'application', licences: readCopyrightLicences(input.source.copyright, 'debian/copyright'), packages: [] },
      ...embedded.map((e) => ({ source: e.source, version: e.version, role: e.origin, licences: licences.get(e.source) ?? { machineReadable: false, licenceTexts: new Map() }, packages: e.packages })),
      ...(input.compilerRuntime ?? []).map((r) => ({ ...r, role: 'compiler-runtime' as const, licences: { machineReadable: false, licenceTexts: new Map<string, string>() } })),
    ],
    ...(input.toolchainParts === undefined ? {} : { toolchainParts: input.toolchainParts }),
    ...(input.treeComponents === undefined ? {} : { treeComponents: input.treeComponents }),
  });

  const common = { version: version.value, architecture: input.architecture, maintainer: input.maintainer, sourceDateEpoch: input.sourceDateEpoch, origin: location };
  const sourceField = { name: 'Source', value: `${input.source.name} (${input.source.version})` };
  const main: DebDescription = {
    ...common,
    package: input.package,
    description: input.description,
    fields: [
      sourceField,
      ...(builtUsing === undefined ? [] : [{ name: 'Built-Using', value: builtUsing }]),
      ...(staticBuiltUsing === '' ? [] : [{ name: 'Static-Built-Using', value: staticBuiltUsing }]),
      ...(input.section === undefined ? [] : [{ name: 'Section', value: input.section }]),
      { name: 'Priority', value: 'optional' },
      ...provenance,
    ],
    files: [
      ...input.files,
      { type: 'file', path: `${doc}/copyright`, content: copyright },
      { type: 'file', path: `${doc}/${input.package}.spdx.json`, content: spdx },
      { type: 'file', path: `usr/share/lintian/overrides/${input.package}`, content: lintianOverridesText(input.package, input.lintianOverrides, provenance.map((f) => f.name)) },
    ],
  };
  const dbgsym: DebDescription | undefined = input.debug === undefined ? undefined : {
    ...common,
    package: `${input.package}-dbgsym`,
    description: { synopsis: `debug symbols for ${input.package}` },
    // As dh_strip writes a dbgsym package: Auto-Built-Package and Build-Ids let tools find it.
    fields: [
      sourceField,
      { name: 'Auto-Built-Package', value: 'debug-symbols' },
      { name: 'Depends', value: `${input.package} (= ${version.value})` },
      { name: 'Section', value: 'debug' },
      { name: 'Priority', value: 'optional' },
      { name: 'Build-Ids', value: input.debug.buildIds.join(' ') },
      ...provenance,
    ],
    // dh_strip's layout: the doc folder is a link to the main package's, which Depends makes present.
    // (lintian allows only debug files here, so its unknown-field warnings on X-Stubforge-* stay.)
    files: [
      ...input.debug.files,
      { type: 'symlink', path: `usr/share/doc/${input.package}-dbgsym`, target: input.package },
    ],
  };
  return ok({
    main, version: version.value, staticBuiltUsing, decisions, spdx, copyright,
    ...(dbgsym === undefined ? {} : { dbgsym }),
    ...(builtUsing === undefined ? {} : { builtUsing }),
  });
}
