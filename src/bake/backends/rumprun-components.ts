// The components file of a rumprun tree (pure; docs/stub-domain-rumprun.md, "Naming rumprun's own
// components"): the user's statement of which upstream revision of each of rumprun's own
// components (not in Debian) a tree was built from, with its licence. An installed tree records no
// revision of anything, so a package meant for a distribution cannot name them without being
// told. One deb822 paragraph per component:
//
//   Component: rumprun
//   Revision: <the full git commit id>
//   Repository: <where that revision can be fetched (optional)>
//   Copyright: <the holders (optional)>
//   License: BSD-2-Clause
//    <the licence text (optional for a licence SPDX knows)>
//
// Every component the image embeds for the tree's platform must be stated, nothing else may be,
// and every problem is reported with its file and line, all at once.
import { createHash } from 'node:crypto';
import { FieldReader, type ConfigProblem } from '../../arch/config-fields.js';
import { parseDeb822 } from '../../control/deb822.js';
import { spdxLicenceExpression } from '../../deb/copyright-licence.js';
import type { StatedComponent } from '../../deb/spdx.js';
import type { SourceLocation } from '../../model/location.js';
import { err, ok, type Result } from '../../model/result.js';
import type { RumprunPlatform } from './rumprun-tree.js';

/** What each component puts into a baked image, for the template and the documentation. */
export const RUMPRUN_COMPONENTS: readonly { readonly name: string; readonly platforms: readonly RumprunPlatform[]; readonly embeds: string; readonly licence: string }[] = [
  { name: 'rumprun', platforms: ['hw', 'xen'], embeds: 'the unikernel\'s base (bmk scheduler, rumprun libc glue, the platform\'s kernel)', licence: 'BSD-2-Clause' },
  { name: 'buildrump.sh', platforms: ['hw', 'xen'], embeds: 'the rump kernel\'s network configuration library of its brlib (librumpnet_config)', licence: 'BSD-2-Clause' },
  { name: 'src-netbsd', platforms: ['hw', 'xen'], embeds: 'NetBSD\'s libc, libm, libpthread and the rump kernel components', licence: 'BSD-2-Clause and BSD-3-Clause' },
  { name: 'mini-os', platforms: ['xen'], embeds: 'the Xen PV kernel layer (platform/xen/xen of the rumprun checkout, from Xen\'s Mini-OS)', licence: 'Expat' },
];

/** A component as the user's components file states it (its revision a full commit id or a release version). */
export interface RumprunComponent extends StatedComponent {
  /** The paragraph as written (comment lines left out), for the package's copyright file. */
  readonly statement: string;
  readonly location: SourceLocation;
}

export interface RumprunComponents {
  readonly file: string;
  readonly platform: RumprunPlatform;
  /** In the order of RUMPRUN_COMPONENTS. */
  readonly components: readonly RumprunComponent[];
  /** SHA-256 over what the package says of them: part of the application's cache key. */
  readonly digest: string;
}

export type RumprunComponentsError =
  | { readonly reason: 'components-missing'; readonly file: string; readonly platform: RumprunPlatform; readonly location: SourceLocation }
  | { readonly reason: 'components-unreadable'; readonly detail: string; readonly location: SourceLocation }
  | { readonly reason: 'components-invalid'; readonly problems: readonly ConfigProblem[]; readonly location: SourceLocation };

const FULL_COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
// Hex with both a letter and a digit: a commit id (a release version is rarely that), shortened or in capitals.
const COMMIT_LIKE = /^(?=.*[a-fA-F])(?=.*[0-9])[0-9a-fA-F]{4,64}$/;
const RELEASE = /^[A-Za-z0-9][A-Za-z0-9.+~_-]*$/;
const URL = /^(git\+)?(https?|ssh|git|file):\/\/\S+$/;

/** Components the image embeds on `platform`, in their fixed order. */
export function componentsOf(platform: RumprunPlatform): readonly string[] {
  return RUMPRUN_COMPONENTS.filter((c) => c.platforms.includes(platform)).map((c) => c.name);
}

function checkRevision(reader: FieldReader, value: string): void {
  if (FULL_COMMIT.test(value)) return;
  if (COMMIT_LIKE.test(value)) {
    reader.problem('Revision', `Revision "${value}" looks like an abbreviated or upper-case commit id: write the full lower-case one (git rev-parse HEAD in that checkout)`);
  } else if (!RELEASE.test(value)) {
    reader.problem('Revision', `Revision "${value}" is neither a full git commit id (40 hex digits) nor a release version`);
  }
}

/** The raw lines of the paragraph starting at `line` (1-based), comments left out. */
function paragraphText(rawLines: readonly string[], line: number): string {
  const out: string[] = [];
  for (let i = line - 1; i < rawLines.length; i++) {
    const raw = (rawLines[i] ?? '').replace(/\r$/, '');
    if (raw.trim() === '') break;
    if (!raw.startsWith('#')) out.push(raw);
  }
  return out.join('\n');
}

function readComponent(reader: FieldReader, rawLines: readonly string[]): RumprunComponent | undefined {
  const name = reader.required('Component');
  const revision = reader.required('Revision');
  if (revision !== undefined) checkRevision(reader, revision);
  const repository = reader.optional('Repository');
  if (repository !== undefined && !URL.test(repository)) {
    reader.problem('Repository', `Repository "${repository}" is not a URL (https://, ssh://, git:// or file://, optionally after git+)`);
  }
  const copyright = reader.optional('Copyright') === undefined ? undefined : reader.paragraph.get('Copyright');
  // Marks the field read and reports it missing or empty; the first line is the short name.
  reader.lines('License', true);
  const [first = '', ...body] = (reader.paragraph.get('License') ?? '').split('\n');
  const licence = first.trim() === '' ? undefined : first.trim();
  const licenceText = body.map((l) => (l.trim() === '.' ? '' : l)).join('\n');
  const hasText = licenceText.trim() !== '';
  if (licence === undefined && hasText) {
    reader.problem('License', 'License must name the licence on its first line (a DEP-5 short name such as BSD-2-Clause), then give its text');
  } else if (licence !== undefined && !hasText) {
    const refs = spdxLicenceExpression(licence).refs;
    if (refs.length > 0) {
      reader.problem('License', `License "${licence}": SPDX has no identifier for ${refs.join(', ')}; give the licence text on the lines after it (each indented by one space, "." for an empty line), as in a DEP-5 copyright file`);
    }
  }
  reader.optional('Comment');
  reader.rejectUnread();
  if (name === undefined || revision === undefined || licence === undefined) return undefined;
  return {
    name, revision, licence, statement: paragraphText(rawLines, reader.paragraph.line), location: reader.location(),
    ...(repository === undefined ? {} : { repository }),
    ...(copyright === undefined ? {} : { copyright }),
    ...(hasText ? { licenceText } : {}),
  };
}

/** The canonical text the digest is taken over: what the package says, not how the file is laid out. */
function componentsDigest(platform: RumprunPlatform, components: readonly RumprunComponent[]): string {
  const lines = ['stubforge-rumprun-components 1', `platform ${platform}`];
  for (const c of components) {
    lines.push(JSON.stringify([c.name, c.revision, c.repository ?? null, c.copyright ?? null, c.licence, c.licenceText ?? null, c.statement]));
  }
  return createHash('sha256').update(`${lines.join('\n')}\n`).digest('hex');
}

/** Parse and check the file's text against the components a `platform` tree embeds. */
export function readRumprunComponents(text: string, file: string, platform: RumprunPlatform): Result<RumprunComponents, RumprunComponentsError> {
  const location: SourceLocation = { file };
  const parsed = parseDeb822(text, { file, comments: true });
  if (!parsed.ok) return err({ reason: 'components-invalid', problems: [{ message: parsed.error.message, location: parsed.error.location }], location });
  const rawLines = text.split('\n');
  const problems: ConfigProblem[] = [];
  const byName = new Map<string, RumprunComponent>();
  const expected = componentsOf(platform);
  for (const paragraph of parsed.value) {
    const reader = new FieldReader(paragraph, file, rawLines);
    const component = readComponent(reader, rawLines);
    problems.push(...reader.problems);
    if (component === undefined) continue;
    const at = reader.location('Component');
    const known = RUMPRUN_COMPONENTS.find((c) => c.name === component.name);
    const before = byName.get(component.name);
    if (known === undefined) {
      problems.push({ message: `unknown component "${component.name}": a ${platform} tree embeds ${expected.join(', ')}`, location: at, field: 'Component' });
    } else if (!expected.includes(component.name)) {
      problems.push({ message: `component "${component.name}" is not in a ${platform} tree's images (only ${known.platforms.join(', ')} trees embed it)`, location: at, field: 'Component' });
    } else if (before !== undefined) {
      problems.push({ message: `component "${component.name}" is stated twice (first at line ${String(before.location.line)})`, location: at, field: 'Component' });
    } else {
      byName.set(component.name, component);
    }
  }
  const missing = expected.filter((name) => !byName.has(name) && !parsed.value.some((p) => p.getFolded('Component') === name));
  for (const name of missing) {
    problems.push({ message: `no paragraph for component "${name}", which the images of a ${platform} tree embed (${RUMPRUN_COMPONENTS.find((c) => c.name === name)?.embeds ?? ''})`, location });
  }
  // In the file's order; what concerns the whole file (a component not stated) last.
  const line = (p: ConfigProblem): number => p.location.line ?? Number.MAX_SAFE_INTEGER;
  if (problems.length > 0) return err({ reason: 'components-invalid', problems: [...problems].sort((a, b) => line(a) - line(b)), location });
  const components = expected.flatMap((name) => {
    const c = byName.get(name);
    return c === undefined ? [] : [c];
  });
  return ok({ file, platform, components, digest: componentsDigest(platform, components) });
}

/** A file to start from: one paragraph per component of `platform`, with what the user fills in. */
export function componentsTemplate(platform: RumprunPlatform): string {
  return RUMPRUN_COMPONENTS.filter((c) => c.platforms.includes(platform)).map((c) => [
    `# ${c.embeds}`,
    `Component: ${c.name}`,
    `Revision: <full commit id of the ${c.name === 'mini-os' ? 'rumprun' : c.name} checkout the tree was built from>`,
    'Repository: <where that revision can be fetched (optional)>',
    `License: ${c.licence}`,
  ].join('\n')).join('\n\n');
}

export function describeRumprunComponentsError(error: RumprunComponentsError, variable: string): string {
  switch (error.reason) {
    case 'components-missing':
      return [
        `${error.file}: no components file. A rumprun-amd64 package names rumprun's own components (not in Debian) at their upstream revisions, which an installed tree does not record.`,
        `Write that file (or name another in ${variable}), one paragraph per component (git rev-parse HEAD in each checkout gives the revision), e.g.:`,
        '',
        componentsTemplate(error.platform),
      ].join('\n');
    case 'components-unreadable':
      return `${error.location.file}: cannot read the components file: ${error.detail}`;
    case 'components-invalid':
      return [
        `${error.location.file}: ${error.problems.length} problem(s) in the components file:`,
        ...error.problems.map((p) => `  ${p.location.file}${p.location.line === undefined ? '' : `:${String(p.location.line)}`}: ${p.message}`),
      ].join('\n');
  }
}
