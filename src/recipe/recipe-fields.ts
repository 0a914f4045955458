// Readers for the recipe fields shared by the general paragraph and the per-arch paragraphs:
// role lists, drops and additions with their reasons, build options. Pure.
import { isPackageName, type FieldReader } from '../arch/config-fields.js';
import { parseRelations } from '../control/relation.js';
import type { RecipeAddition, RecipeDrop, NameValue, BuildSettings, BuildSystem, RecipeRoles } from './recipe.js';
import { BUILD_SYSTEMS } from './recipe.js';

/** Separator between an entry and its reason: `libfdt-dev -- a Xen device model has no use for it`. */
export const REASON_SEPARATOR = ' -- ';

export function splitReason(text: string): { readonly entry: string; readonly reason: string } | undefined {
  const at = text.indexOf(REASON_SEPARATOR);
  if (at < 0) return undefined;
  const entry = text.slice(0, at).trim();
  const reason = text.slice(at + REASON_SEPARATOR.length).trim();
  return entry === '' || reason === '' ? undefined : { entry, reason };
}

function names(r: FieldReader, field: string): string[] {
  const out = r.words(field);
  for (const n of out) if (!isPackageName(n)) r.problem(field, `"${n}" is not a binary package name`);
  return out;
}

function drops(r: FieldReader): RecipeDrop[] {
  const out: RecipeDrop[] = [];
  for (const { text, line } of r.lines('Drop')) {
    const split = splitReason(text);
    if (split === undefined) {
      r.problem('Drop', `"${text}" is not "<package> -- <reason>" (every drop needs a reason)`, line);
    } else if (!isPackageName(split.entry)) {
      r.problem('Drop', `"${split.entry}" is not a binary package name`, line);
    } else out.push({ name: split.entry, reason: split.reason, location: { file: r.file, line } });
  }
  return out;
}

function additions(r: FieldReader): RecipeAddition[] {
  const out: RecipeAddition[] = [];
  for (const { text, line } of r.lines('Add-Build-Depends')) {
    const split = splitReason(text);
    if (split === undefined) {
      r.problem('Add-Build-Depends', `"${text}" is not "<relation> -- <reason>" (every addition needs a reason)`, line);
      continue;
    }
    const location = { file: r.file, line };
    const parsed = parseRelations(split.entry, location);
    if (!parsed.ok) {
      r.problem('Add-Build-Depends', `invalid relation "${split.entry}": ${parsed.error.message}`, line);
      continue;
    }
    if (parsed.value.length !== 1) {
      r.problem('Add-Build-Depends', `one relation (with alternatives) per line, not "${split.entry}"`, line);
      continue;
    }
    const group = parsed.value[0];
    if (group !== undefined) out.push({ group, text: split.entry, reason: split.reason, location });
  }
  return out;
}

/** Target/Native/Drop/Add-Build-Depends of one paragraph; a name in two lists is a problem. */
export function readRoles(r: FieldReader): Omit<RecipeRoles, 'dropUnlisted'> {
  const target = names(r, 'Target');
  const native = names(r, 'Native');
  const drop = drops(r);
  const seen = new Map<string, string>();
  const claim = (name: string, field: string): void => {
    const before = seen.get(name);
    if (before !== undefined) r.problem(field, `${name} is listed in both ${before} and ${field}`);
    else seen.set(name, field);
  };
  for (const n of target) claim(n, 'Target');
  for (const n of native) claim(n, 'Native');
  for (const d of drop) claim(d.name, 'Drop');
  return { target, native, drop, add: additions(r) };
}

const ASSIGNMENT_RE = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;

/**
 * The arch's tools, which an `Environment` value may also name: a build system that assigns
 * `CC = gcc` in its own makefiles (Xen's config/StdGNU.mk) only takes the arch's compiler from
 * make's command line, e.g. `MAKEFLAGS=CC=${CC}`. The driver fills them from the arch file.
 */
const ENVIRONMENT_TOOL_PLACEHOLDERS = ['CC', 'CXX', 'CPP', 'AR', 'AS', 'LD', 'NM', 'RANLIB', 'STRIP', 'OBJCOPY', 'OBJDUMP', 'READELF', 'PKG_CONFIG'];

function assignments(r: FieldReader, field: string): NameValue[] {
  const out: NameValue[] = [];
  for (const { text, line } of r.has(field) ? r.lines(field) : []) {
    const m = ASSIGNMENT_RE.exec(text);
    if (m === null) r.problem(field, `"${text}" is not NAME=value`, line);
    else checkRecipePlaceholders(r, field, text, line, field === 'Environment' ? ENVIRONMENT_TOOL_PLACEHOLDERS : []);
    if (m !== null) out.push({ name: m[1] ?? '', value: m[2] ?? '' });
  }
  return out;
}

/**
 * `${NAME}` placeholders an option or environment value may use, filled in by the build driver
 * (src/drivers/placeholders.ts): the triplet, the install prefix, the staged closure, the job
 * count. Tools and flags are not placeholders: the driver exports CC, CFLAGS ... to every step.
 */
export const RECIPE_PLACEHOLDERS: ReadonlySet<string> = new Set(['TRIPLET', 'PREFIX', 'STAGE', 'JOBS']);

export function checkRecipePlaceholders(r: FieldReader, field: string, text: string, line: number, extra: readonly string[] = []): void {
  for (const m of text.matchAll(/\$\{([^}]*)\}/g)) {
    const name = m[1] ?? '';
    if (!RECIPE_PLACEHOLDERS.has(name) && !extra.includes(name)) {
      r.problem(field, `unknown placeholder \${${name}} (known: ${[...RECIPE_PLACEHOLDERS, ...extra].join(' ')})`, line);
    }
  }
}

/** Option lines: one argument per line, placeholders checked. */
function lineList(r: FieldReader, field: string): string[] {
  if (!r.has(field)) return [];
  return r.lines(field).map(({ text, line }) => {
    checkRecipePlaceholders(r, field, text, line);
    return text;
  });
}

/**
 * Build settings of one paragraph. `patchNames` are the files present under `patches/` (undefined
 * for a single-file recipe, which cannot have patches).
 */
export function readBuild(r: FieldReader, patchNames: ReadonlySet<string> | undefined): Omit<BuildSettings, 'buildSystem'> & { buildSystem?: BuildSystem } {
  const system = r.optional('Build-System');
  let buildSystem: BuildSystem | undefined;
  if (system !== undefined) {
    if ((BUILD_SYSTEMS as readonly string[]).includes(system)) buildSystem = system as BuildSystem;
    else r.problem('Build-System', `Build-System must be one of ${BUILD_SYSTEMS.join(', ')}, not "${system}"`);
  }
  const patches = r.words('Patches');
  for (const p of patches) {
    if (patchNames === undefined) r.problem('Patches', `patch "${p}": only a folder recipe (<name>/recipe + patches/) has patches`);
    else if (!patchNames.has(p)) r.problem('Patches', `patch "${p}" is not in the recipe's patches/ folder`);
  }
  const profiles = r.words('Build-Profiles');
  for (const p of profiles) if (!/^[a-z0-9][a-z0-9.+-]*$/.test(p)) r.problem('Build-Profiles', `"${p}" is not a build profile name`);
  // Steps are shell: they see the same values as environment variables, not placeholders.
  const steps = r.has('Steps') ? r.lines('Steps').map((l) => l.text) : [];
  const preConfigure = r.has('Pre-Configure') ? r.lines('Pre-Configure').map((l) => l.text) : [];
  const subdir = r.optional('Subdir');
  if (subdir !== undefined && (subdir.startsWith('/') || subdir.split('/').includes('..'))) {
    r.problem('Subdir', `Subdir must be a path inside the source, not "${subdir}"`);
  }
  return {
    ...(buildSystem === undefined ? {} : { buildSystem }),
    configureOptions: lineList(r, 'Configure-Options'),
    mesonOptions: lineList(r, 'Meson-Options'),
    cmakeOptions: lineList(r, 'CMake-Options'),
    makeOptions: lineList(r, 'Make-Options'),
    makeTargets: r.words('Make-Targets'),
    installTargets: r.words('Install-Targets'),
    preConfigure,
    ...(subdir === undefined ? {} : { subdir }),
    cacheVariables: assignments(r, 'Cache-Variables'),
    environment: assignments(r, 'Environment'),
    steps,
    patches,
    profiles,
  };
}
