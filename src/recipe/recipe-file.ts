// Parsing and validating one recipe (docs/recipe-format.md): the general paragraph, then one
// paragraph per arch (`Arch:`) holding additions for those arches. Pure: the loader reads files.
import { checkFormatVersion, FieldReader, isPackageName, type ConfigProblem } from '../arch/config-fields.js';
import { parseDeb822, type ControlError, type Paragraph } from '../control/deb822.js';
import type { Sha256Hex } from '../model/brand.js';
import { err, ok, type Result } from '../model/result.js';
import { checkRecipePlaceholders, readBuild, readRoles, splitReason } from './recipe-fields.js';
import {
  EMPTY_BUILD, type ApplicationSettings, type ArchOverlay, type ClosureLibrary, type LintianOverride, type ManifestLineText,
  type NameValue, type PatchFile, type Recipe,
} from './recipe.js';

/** Recipe format versions this stubforge reads. */
export const RECIPE_FORMAT_RANGE = '>=1.0.0 <2.0.0';

export type RecipeFileError =
  | ControlError
  | { readonly reason: 'invalid-recipe'; readonly file: string; readonly problems: readonly ConfigProblem[] };

export interface RecipeInput {
  readonly text: string;
  readonly file: string;
  /** File or folder name. */
  readonly name: string;
  /** Patches present in the folder recipe's `patches/`, undefined for a single-file recipe. */
  readonly patchFiles?: readonly PatchFile[];
  /** Digest over the recipe text and patches, computed by the loader. */
  readonly contentSha256: Sha256Hex;
}

const APPLICATION_FIELDS = [
  'Package', 'Package-Section', 'Package-Maintainer', 'Package-Description', 'Install', 'Lintian-Overrides', 'Launch-Cmdline', 'Launch-Env',
  'Launch-Manifest', 'Link-From-Closure',
];

/** `Launch-Env` lines: `NAME=value`, taken literally (the launcher passes them as they are). */
function readLaunchEnv(r: FieldReader): NameValue[] {
  const out: NameValue[] = [];
  for (const { text, line } of r.has('Launch-Env') ? r.lines('Launch-Env') : []) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(text);
    if (m === null) r.problem('Launch-Env', `"${text}" is not NAME=value`, line);
    else if (text.includes('${')) r.problem('Launch-Env', `"${text}": launch environment values are literal (no \${...})`, line);
    else if (out.some((e) => e.name === m[1])) r.problem('Launch-Env', `${m[1] ?? ''} is given twice`, line);
    else out.push({ name: m[1] ?? '', value: m[2] ?? '' });
  }
  return out;
}

/** `Link-From-Closure` lines: `<library> <source>` — lib<library>.a must come from that closure source. */
function readClosureLibraries(r: FieldReader): ClosureLibrary[] {
  const out: ClosureLibrary[] = [];
  for (const { text, line } of r.has('Link-From-Closure') ? r.lines('Link-From-Closure') : []) {
    const parts = text.split(/\s+/);
    const [library, source] = parts;
    if (parts.length !== 2 || library === undefined || source === undefined || !/^[A-Za-z0-9_.+-]+$/.test(library) || !isPackageName(source)) {
      r.problem('Link-From-Closure', `"${text}" is not "<library> <source>" (e.g. "z zlib": libz.a from the rebuilt zlib)`, line);
    } else out.push({ library, source, location: { file: r.file, line } });
  }
  return out;
}

/** `Launch-Manifest` lines, kept with their lines: bake/manifest.ts reads them at build time. */
function readManifestLines(r: FieldReader): ManifestLineText[] {
  return (r.has('Launch-Manifest') ? r.lines('Launch-Manifest') : []).map(({ text, line }) => ({ text, location: { file: r.file, line } }));
}

function readLaunchCmdline(r: FieldReader): string | undefined {
  const value = r.optional('Launch-Cmdline');
  if (value !== undefined) checkRecipePlaceholders(r, 'Launch-Cmdline', value, r.location('Launch-Cmdline').line ?? 0, ['DOMID']);
  return value;
}

function readApplication(r: FieldReader): ApplicationSettings | undefined {
  const pkg = r.required('Package');
  if (pkg !== undefined && !isPackageName(pkg)) r.problem('Package', `"${pkg}" is not a binary package name`);
  const section = r.optional('Package-Section');
  const maintainer = r.optional('Package-Maintainer');
  // Policy 5.6.2: the Maintainer field is "Name <email>", as in debian/control.
  if (maintainer !== undefined && !/^[^<>,]*[^<>,\s] <[^<>@\s]+@[^<>@\s]+>$/.test(maintainer)) {
    r.problem('Package-Maintainer', `"${maintainer}" is not "Full Name <email address>"`);
  }
  const description = r.lines('Package-Description', true).map((l) => l.text);
  const install: { from: string; to: string }[] = [];
  for (const { text, line } of r.has('Install') ? r.lines('Install') : []) {
    const parts = text.split(/\s+/);
    const [from, to] = parts;
    if (parts.length !== 2 || from === undefined || to === undefined || to.startsWith('/')) {
      r.problem('Install', `"${text}" is not "<path in build tree> <relative path in package>"`, line);
    } else install.push({ from, to });
  }
  const lintianOverrides: LintianOverride[] = [];
  for (const { text, line } of r.has('Lintian-Overrides') ? r.lines('Lintian-Overrides') : []) {
    const split = splitReason(text);
    if (split === undefined) r.problem('Lintian-Overrides', `"${text}" is not "<tag> [context] -- <reason>"`, line);
    else lintianOverrides.push({ tag: split.entry, reason: split.reason, location: { file: r.file, line } });
  }
  const launchCmdline = readLaunchCmdline(r);
  const launchEnv = readLaunchEnv(r);
  const launchManifest = readManifestLines(r);
  const closureLibraries = readClosureLibraries(r);
  if (pkg === undefined) return undefined;
  return {
    package: pkg, description, install, lintianOverrides, launchEnv, launchManifest, closureLibraries,
    ...(section === undefined ? {} : { section }),
    ...(maintainer === undefined ? {} : { maintainer }),
    ...(launchCmdline === undefined ? {} : { launchCmdline }),
  };
}

function readOverlay(paragraph: Paragraph, input: RecipeInput, lines: readonly string[], kind: Recipe['kind'], patchNames: ReadonlySet<string> | undefined): { overlay: ArchOverlay | undefined; problems: ConfigProblem[] } {
  const r = new FieldReader(paragraph, input.file, lines);
  const arches = r.words('Arch', true);
  const roles = readRoles(r);
  const build = readBuild(r, patchNames);
  const bakeConfig = r.optional('Bake-Config');
  const launchCmdline = readLaunchCmdline(r);
  const launchEnv = readLaunchEnv(r);
  for (const f of ['Bake-Config', 'Launch-Cmdline', 'Launch-Env']) {
    if (r.has(f) && kind !== 'application') r.problem(f, `${f} belongs in an application recipe`);
  }
  r.rejectUnread();
  const overlay: ArchOverlay = {
    arches, location: { file: input.file, line: paragraph.line }, roles, build, launchEnv,
    ...(bakeConfig === undefined ? {} : { bakeConfig }),
    ...(launchCmdline === undefined ? {} : { launchCmdline }),
  };
  return { overlay: arches.length > 0 ? overlay : undefined, problems: r.problems };
}

/** Parse one recipe; every problem of every paragraph is reported, each with its line. */
export function parseRecipe(input: RecipeInput): Result<Recipe, RecipeFileError> {
  const { text, file, name } = input;
  const parsed = parseDeb822(text, { file, comments: true });
  if (!parsed.ok) return parsed;
  const [general, ...rest] = parsed.value;
  if (general === undefined) {
    return err({ reason: 'invalid-recipe', file, problems: [{ message: 'the recipe has no fields', location: { file } }] });
  }
  const lines = text.split('\n');
  const patchNames = input.patchFiles === undefined ? undefined : new Set(input.patchFiles.map((p) => p.name));
  const r = new FieldReader(general, file, lines);
  const formatVersion = checkFormatVersion(r, RECIPE_FORMAT_RANGE);
  const source = r.required('Source');
  if (source !== undefined && !isPackageName(source)) r.problem('Source', `"${source}" is not a source package name`);
  const kindText = r.optional('Kind') ?? 'library';
  const kind: Recipe['kind'] = kindText === 'application' ? 'application' : 'library';
  if (kindText !== 'library' && kindText !== 'application') r.problem('Kind', `Kind must be "library" or "application", not "${kindText}"`);
  if (kind === 'library' && source !== undefined && source !== name) {
    r.problem('Source', `a library recipe is named after its source: "${name}" holds Source: ${source}`);
  }
  const seconds = r.optional('Estimated-Build-Seconds');
  const estimatedBuildSeconds = seconds === undefined ? undefined : Number(seconds);
  if (estimatedBuildSeconds !== undefined && !(Number.isInteger(estimatedBuildSeconds) && estimatedBuildSeconds > 0)) {
    r.problem('Estimated-Build-Seconds', `Estimated-Build-Seconds must be a positive whole number, not "${seconds ?? ''}"`);
  }
  const arches = r.words('Architecture');
  const archReason = r.optional('Architecture-Reason');
  if (arches.length > 0 && archReason === undefined) r.problem('Architecture', 'Architecture needs an Architecture-Reason');
  if (arches.length === 0 && archReason !== undefined) r.problem('Architecture-Reason', 'Architecture-Reason without Architecture');
  const roles = readRoles(r);
  const dropUnlisted = r.yesNo('Drop-Unlisted', false);
  const unlistedReason = r.optional('Drop-Unlisted-Reason');
  if (dropUnlisted && unlistedReason === undefined) r.problem('Drop-Unlisted', 'Drop-Unlisted: yes needs a Drop-Unlisted-Reason');
  if (!dropUnlisted && unlistedReason !== undefined) r.problem('Drop-Unlisted-Reason', 'Drop-Unlisted-Reason without Drop-Unlisted: yes');
  const build = readBuild(r, patchNames);
  if ((build.buildSystem ?? 'detect') === 'steps' && build.steps.length === 0) r.problem('Build-System', 'Build-System: steps needs Steps');
  const artefacts = r.has('Artefacts') ? r.lines('Artefacts') : [];
  for (const { text: a, line } of artefacts) {
    if (a.startsWith('/') || a.split('/').includes('..')) r.problem('Artefacts', `"${a}" must be relative to the staged prefix /usr/<triplet>`, line);
  }
  const publish = r.words('Publish');
  for (const p of publish) if (!isPackageName(p)) r.problem('Publish', `"${p}" is not a binary package name`);
  let application: ApplicationSettings | undefined;
  if (kind === 'application') application = readApplication(r);
  else for (const f of APPLICATION_FIELDS) if (r.has(f)) r.problem(f, `${f} belongs in an application recipe (Kind: application)`);
  r.rejectUnread();

  const problems = [...r.problems];
  const overlays: ArchOverlay[] = [];
  for (const p of rest) {
    const o = readOverlay(p, input, lines, kind, patchNames);
    problems.push(...o.problems);
    if (o.overlay !== undefined) overlays.push(o.overlay);
  }
  if (problems.length > 0 || formatVersion === undefined || source === undefined || (kind === 'application' && application === undefined)) {
    return err({ reason: 'invalid-recipe', file, problems });
  }
  return ok({
    name, source, kind, formatVersion,
    location: { file, line: general.line },
    contentSha256: input.contentSha256,
    ...(estimatedBuildSeconds === undefined ? {} : { estimatedBuildSeconds }),
    ...(arches.length > 0 && archReason !== undefined ? { architecture: { arches, reason: archReason } } : {}),
    roles: {
      ...roles,
      ...(dropUnlisted && unlistedReason !== undefined ? { dropUnlisted: { reason: unlistedReason, location: r.location('Drop-Unlisted') } } : {}),
    },
    build: { ...build, buildSystem: build.buildSystem ?? EMPTY_BUILD.buildSystem },
    artefacts: artefacts.map((a) => a.text),
    publish,
    overlays,
    ...(application === undefined ? {} : { application }),
    patchFiles: input.patchFiles ?? [],
  });
}
