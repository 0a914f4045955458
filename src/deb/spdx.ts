// The SPDX 2.3 document (JSON) an application package ships (pure): the package itself, the
// source it was built from and every source its binary statically links, each with its exact
// version, a purl and the licence its Debian copyright file declares. Everything in it comes from
// the inputs (a user-supplied toolchain tree's own components — rumprun's — as the user stated
// them: rumprun-components.ts); the creation time is SOURCE_DATE_EPOCH and the namespace a UUID made from the
// content, so two builds give the same bytes.
import { createHash } from 'node:crypto';
import { licenceRef, spdxLicenceExpression, type CopyrightLicences } from './copyright-licence.js';

export interface SpdxSource {
  readonly source: string;
  readonly version: string;
  /** `compiler-runtime`: gcc's libgcc helpers, linked but not named in Static-Built-Using. */
  readonly role: 'application' | 'closure' | 'toolchain-package' | 'compiler-runtime';
  readonly licences: CopyrightLicences;
  /** Binary packages the code came from (`zlib1g-dev-musl-linux-amd64-cross`, `musl-dev:amd64`). */
  readonly packages: readonly string[];
}

/** A linked archive of a user-supplied toolchain tree (rumprun's libc): no Debian source to name. */
export interface SpdxToolchainPart {
  readonly tree: string;
  readonly path: string;
}

/** A component of a user-supplied toolchain tree (rumprun, src-netbsd ...), as its builder stated it. */
export interface StatedComponent {
  readonly name: string;
  /** The upstream revision (a commit id or a release version). */
  readonly revision: string;
  /** Where that revision can be fetched (a URL), when stated. */
  readonly repository?: string;
  readonly copyright?: string;
  /** DEP-5 short licence expression (the License field's first line). */
  readonly licence: string;
  /** The licence text (the License field's continuation lines), when stated. */
  readonly licenceText?: string;
}

/** A stated component the image embeds, with the tree it came with. */
export interface SpdxTreeComponent extends StatedComponent {
  /** The tree, as the toolchain parts name it (`rumprun hw`). */
  readonly tree: string;
}

export interface SpdxInput {
  readonly package: string;
  readonly version: string;
  readonly architecture: string;
  readonly sources: readonly SpdxSource[];
  readonly toolchainParts?: readonly SpdxToolchainPart[];
  readonly treeComponents?: readonly SpdxTreeComponent[];
  readonly sourceDateEpoch: number;
  /** `stubforge-<version>`, for creationInfo.creators. */
  readonly tool: string;
}

interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  downloadLocation: string;
  filesAnalyzed: false;
  licenseConcluded: string;
  licenseDeclared: string;
  copyrightText: string;
  externalRefs?: { referenceCategory: 'PACKAGE-MANAGER'; referenceType: 'purl'; referenceLocator: string }[];
  primaryPackagePurpose: 'APPLICATION' | 'SOURCE' | 'LIBRARY';
  comment?: string;
}

const SOURCE_COMMENTS: Readonly<Record<SpdxSource['role'], (packages: string) => string>> = {
  application: () => 'the Debian source package this binary package was built from',
  closure: (p) => `statically linked into the binary, rebuilt by stubforge; archives from ${p}`,
  'toolchain-package': (p) => `statically linked into the binary from the toolchain's own package; archives from ${p}`,
  'compiler-runtime': (p) => `the compiler's runtime helpers (GCC Runtime Library Exception), linked from ${p}; not named in Static-Built-Using, as in every Debian package`,
};

/** SPDXID idstring: letters, digits, `.` and `-`. */
export function spdxId(kind: string, name: string): string {
  return `SPDXRef-${kind}-${name.replace(/[^A-Za-z0-9.-]+/g, '-')}`;
}

/** purl of a Debian package (purl-spec: deb type, namespace debian; version as dpkg writes it). */
export function debPurl(name: string, version: string, arch: string): string {
  // Percent-encoded as purl-spec asks, except the epoch colon, which its deb examples keep.
  const encoded = encodeURIComponent(version).replace(/%3A/g, ':');
  return `pkg:deb/debian/${name}@${encoded}?arch=${arch}`;
}

/**
 * The SPDX VCS form of a stated repository and revision (`git+https://...@<revision>`); without a
 * stated repository there is nothing to assert.
 */
export function vcsDownloadLocation(repository: string | undefined, revision: string): string {
  if (repository === undefined) return 'NOASSERTION';
  return `${repository.startsWith('git+') ? repository : `git+${repository}`}@${revision}`;
}

function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  // RFC 4122 layout with the version nibble 5 and the variant bits 10: a name-based UUID.
  const variant = ((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

export function spdxDocument(input: SpdxInput): string {
  const refs = new Map<string, string>();
  const declare = (expression: string, texts: ReadonlyMap<string, string>, fallback: (term: string) => string): string => {
    const lic = spdxLicenceExpression(expression);
    for (const term of lic.refs) refs.set(licenceRef(term), texts.get(term) ?? fallback(term));
    return lic.expression;
  };
  const sourcePackage = (s: SpdxSource): SpdxPackage => {
    const declared = s.licences.mainLicence === undefined ? 'NOASSERTION'
      : declare(s.licences.mainLicence, s.licences.licenceTexts, (term) => `The licence "${term}" as the Debian copyright file of ${s.source} ${s.version} names it.`);
    return {
      SPDXID: spdxId('Source', s.source), name: s.source, versionInfo: s.version, downloadLocation: 'NOASSERTION',
      filesAnalyzed: false, licenseConcluded: 'NOASSERTION', licenseDeclared: declared, copyrightText: 'NOASSERTION',
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: debPurl(s.source, s.version, 'source') }],
      primaryPackagePurpose: 'SOURCE',
      comment: SOURCE_COMMENTS[s.role](s.packages.join(', ')),
    };
  };
  const appId = spdxId('Package', input.package);
  const app: SpdxPackage = {
    SPDXID: appId, name: input.package, versionInfo: input.version, downloadLocation: 'NOASSERTION', filesAnalyzed: false,
    licenseConcluded: 'NOASSERTION', licenseDeclared: 'NOASSERTION', copyrightText: 'NOASSERTION',
    externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: debPurl(input.package, input.version, input.architecture) }],
    primaryPackagePurpose: 'APPLICATION',
  };
  const sources = [...input.sources].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  const parts = [...(input.toolchainParts ?? [])].sort((a, b) => (a.path < b.path ? -1 : 1));
  const toolchain: SpdxPackage[] = parts.map((p) => ({
    SPDXID: spdxId('Toolchain', `${p.tree}-${p.path}`), name: `${p.tree}:${p.path}`, downloadLocation: 'NOASSERTION', filesAnalyzed: false,
    licenseConcluded: 'NOASSERTION', licenseDeclared: 'NOASSERTION', copyrightText: 'NOASSERTION', primaryPackagePurpose: 'LIBRARY',
    comment: 'an archive of the user-supplied toolchain tree, linked into the binary; it has no Debian source',
  }));
  const components: SpdxPackage[] = [...(input.treeComponents ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1)).map((c) => {
    const texts = new Map(c.licenceText === undefined ? [] : spdxLicenceExpression(c.licence).refs.map((term) => [term, c.licenceText ?? ''] as const));
    return {
      SPDXID: spdxId('Component', c.name), name: c.name, versionInfo: c.revision, downloadLocation: vcsDownloadLocation(c.repository, c.revision),
      filesAnalyzed: false, licenseConcluded: 'NOASSERTION',
      licenseDeclared: declare(c.licence, texts, (term) => `The licence "${term}" as the components file of the ${c.tree} tree names it.`),
      copyrightText: c.copyright ?? 'NOASSERTION', primaryPackagePurpose: 'SOURCE',
      comment: `a component of the user-supplied ${c.tree} tree (not in Debian) that the bake put into the image; revision and licence as the tree's builder stated them`,
    };
  });
  const relationships = [
    { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: appId },
    ...sources.map((s) => ({
      spdxElementId: appId,
      relationshipType: s.role === 'application' ? 'GENERATED_FROM' : 'STATIC_LINK',
      relatedSpdxElement: spdxId('Source', s.source),
    })),
    ...toolchain.map((t) => ({ spdxElementId: appId, relationshipType: 'STATIC_LINK', relatedSpdxElement: t.SPDXID })),
    ...components.map((c) => ({ spdxElementId: appId, relationshipType: 'STATIC_LINK', relatedSpdxElement: c.SPDXID })),
  ];
  const body = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: `${input.package}_${input.version}_${input.architecture}`,
    documentNamespace: '',
    creationInfo: {
      created: new Date(input.sourceDateEpoch * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      creators: [`Tool: ${input.tool}`],
    },
    packages: [app, ...sources.map(sourcePackage), ...toolchain, ...components],
    relationships,
    ...(refs.size === 0 ? {} : {
      hasExtractedLicensingInfos: [...refs.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([licenseId, extractedText]) => ({ licenseId, extractedText })),
    }),
  };
  body.documentNamespace = `urn:uuid:${uuidFrom(JSON.stringify(body))}`;
  return `${JSON.stringify(body, null, 2)}\n`;
}
