// The partial-architecture model and the validation of an arch file (docs/arch-format.md).
// Pure: text in, `PartialArch` or every problem out, each naming the file and line.
import { createHash } from 'node:crypto';
import { parseDeb822, type ControlError } from '../control/deb822.js';
import type { Sha256Hex } from '../model/brand.js';
import type { SourceLocation } from '../model/location.js';
import { err, ok, type Result } from '../model/result.js';
import { checkFormatVersion, FieldReader, isPackageName, type ConfigProblem } from './config-fields.js';

/** Arch file format versions this stubforge reads. */
export const ARCH_FORMAT_RANGE = '>=1.0.0 <2.0.0';

export const TOOL_NAMES = [
  'CC', 'CXX', 'CPP', 'AR', 'AS', 'RANLIB', 'STRIP', 'NM', 'LD', 'OBJCOPY', 'OBJDUMP', 'READELF',
  'PKG_CONFIG',
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];
const REQUIRED_TOOLS: readonly ToolName[] = ['CC', 'AR', 'RANLIB', 'STRIP', 'NM'];

/**
 * Placeholders a tool or flag value may use; they are filled in at build time, when the build
 * image and the toolchain tree are known.
 */
export const ARCH_PLACEHOLDERS = {
  TOOLCHAIN_ROOT: 'absolute path of a user-supplied toolchain tree (Toolchain: user-tree)',
  HOST_GCC_INCLUDE: "the build image's `gcc -print-file-name=include`",
  TRIPLET: 'the GNU triplet',
  STAGE: 'the staged closure prefix of the build (/usr/<triplet> of the target dependencies)',
} as const;

/** ELF `e_machine` values stubforge knows, by their <elf.h> names. */
export const ELF_MACHINES = { EM_386: 3, EM_ARM: 40, EM_X86_64: 62, EM_AARCH64: 183, EM_RISCV: 243 } as const;
export type ElfMachine = keyof typeof ELF_MACHINES;
export type ElfClass = 'ELFCLASS32' | 'ELFCLASS64';
export type ElfData = 'ELFDATA2LSB' | 'ELFDATA2MSB';

export type ToolchainProvision =
  | { readonly kind: 'packages'; readonly packages: readonly string[] }
  | {
      readonly kind: 'user-tree';
      /** Environment variable naming the tree (read by cli/ only). */
      readonly variable: string;
      /** `as-built`: mounted at the absolute path it was built for. */
      readonly mount: 'as-built';
      /** File inside the tree whose content names that absolute path (a compiler wrapper). */
      readonly pathProbe: string;
      /** Extra Debian packages the tree needs in the build image (its wrappers call host gcc). */
      readonly packages: readonly string[];
    };

export interface DpkgTableLines {
  readonly cputable: readonly string[];
  readonly ostable: readonly string[];
  readonly tupletable: readonly string[];
}

/**
 * A pkg-config module the toolchain supplies in place of a `-dev` package it provides: the C
 * library has what the package would add (libpthread-stubs0-dev ships only `pthread-stubs.pc`,
 * with no flags, on every libc that has the pthread functions), so the module has no flags.
 */
export interface ToolchainPkgConfigModule {
  /** The module name (`pthread-stubs`): the build sees `<module>.pc`. */
  readonly module: string;
  /** Its `Version:` (`0.4`), as the arch states it. */
  readonly version: string;
  /** The package of `Toolchain-Provides` it stands for (`libpthread-stubs0-dev`). */
  readonly standsFor: string;
  readonly line: number;
}

export interface PartialArch {
  readonly formatVersion: string;
  /** Debian architecture name, e.g. `musl-linux-amd64`. */
  readonly name: string;
  readonly description?: string;
  readonly gnuTriplet: string;
  /** Architecture of the build machine and of the native tools: `amd64`. */
  readonly buildArchitecture: string;
  /** Debian architecture the final application `.deb` installs on. */
  readonly installArchitecture: string;
  readonly toolchain: ToolchainProvision;
  /** Relation names the toolchain satisfies (the C library's -dev, kernel headers). */
  readonly toolchainProvides: readonly string[];
  /** pkg-config modules the toolchain supplies for some of those names (Toolchain-Pkg-Config). */
  readonly toolchainPkgConfig: readonly ToolchainPkgConfigModule[];
  /** Source package of the C library linked into every binary, if it comes from the archive. */
  readonly cLibrarySource?: string;
  /** /usr/include directories of the build image exposed to the compiler with -isystem. */
  readonly kernelHeaders: readonly string[];
  readonly tools: Readonly<Partial<Record<ToolName, string>>>;
  readonly flags: { readonly cflags: string; readonly cxxflags: string; readonly cppflags: string; readonly ldflags: string };
  readonly staticOnly: true;
  /** Build profiles active for every build of this arch (`cross nocheck nodoc` ...). */
  readonly buildProfiles: readonly string[];
  readonly configSub: string;
  readonly configGuess: string;
  readonly configFilesPackage: string;
  /** Lines prepended to copies of dpkg's tables so that dpkg knows this arch. */
  readonly dpkgTables: DpkgTableLines;
  readonly elf: { readonly machine: ElfMachine; readonly machineNumber: number; readonly class: ElfClass; readonly data: ElfData };
  readonly bakeConfigs: readonly string[];
  readonly bakeDefault: string;
  readonly location: SourceLocation;
  /** SHA-256 of the file's bytes as read (part of every cache key). */
  readonly contentSha256: Sha256Hex;
}

export type ArchFileError =
  | ControlError
  | { readonly reason: 'invalid-arch-file'; readonly file: string; readonly problems: readonly ConfigProblem[] };

const PROFILE_RE = /^[a-z0-9][a-z0-9.+-]*$/;
const ENV_VAR_RE = /^[A-Z_][A-Z0-9_]*$/;
const TRIPLET_RE = /^[a-z0-9_]+(-[a-z0-9_.]+){1,3}$/;
const PLACEHOLDER_RE = /\$\{([^}]*)\}/g;
const PC_MODULE_RE = /^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/;
const PC_VERSION_RE = /^[0-9][0-9A-Za-z.+~_-]*$/;
const COLUMNS = { cputable: 4, ostable: 3, tupletable: 2 } as const;

export function sha256Hex(text: string): Sha256Hex {
  return createHash('sha256').update(text).digest('hex') as Sha256Hex;
}

/** Check every `${NAME}` in a value against the known placeholders. */
function checkPlaceholders(reader: FieldReader, field: string, value: string, line?: number): void {
  for (const m of value.matchAll(PLACEHOLDER_RE)) {
    const name = m[1] ?? '';
    if (!Object.hasOwn(ARCH_PLACEHOLDERS, name)) {
      reader.problem(field, `unknown placeholder \${${name}} (known: ${Object.keys(ARCH_PLACEHOLDERS).join(', ')})`, line);
    }
  }
}

function readToolchain(r: FieldReader): ToolchainProvision | undefined {
  const kind = r.required('Toolchain');
  const packages = r.words('Toolchain-Packages', kind === 'packages');
  for (const p of packages) if (!isPackageName(p)) r.problem('Toolchain-Packages', `"${p}" is not a package name`);
  const variable = r.optional('Toolchain-Variable');
  const mount = r.optional('Toolchain-Mount');
  const pathProbe = r.optional('Toolchain-Path-Probe');
  if (kind === 'packages') {
    for (const f of ['Toolchain-Variable', 'Toolchain-Mount', 'Toolchain-Path-Probe']) {
      if (r.has(f)) r.problem(f, `${f} applies to Toolchain: user-tree only`);
    }
    return { kind, packages };
  }
  if (kind === 'user-tree') {
    if (variable === undefined) r.problem('Toolchain-Variable', 'Toolchain: user-tree needs Toolchain-Variable');
    else if (!ENV_VAR_RE.test(variable)) r.problem('Toolchain-Variable', `"${variable}" is not an environment variable name`);
    if (mount !== 'as-built') r.problem('Toolchain-Mount', 'Toolchain: user-tree needs Toolchain-Mount: as-built (the only mode so far)');
    if (pathProbe === undefined) r.problem('Toolchain-Path-Probe', 'Toolchain: user-tree needs Toolchain-Path-Probe');
    else if (pathProbe.startsWith('/') || pathProbe.split('/').includes('..')) {
      r.problem('Toolchain-Path-Probe', `Toolchain-Path-Probe must be a path inside the tree, not "${pathProbe}"`);
    }
    if (variable === undefined || pathProbe === undefined || mount !== 'as-built') return undefined;
    return { kind, variable, mount, pathProbe, packages };
  }
  if (kind !== undefined) r.problem('Toolchain', `Toolchain must be "packages" or "user-tree", not "${kind}"`);
  return undefined;
}

/** `Toolchain-Pkg-Config` lines: `<module> <version> <package of Toolchain-Provides>`. */
function readPkgConfigModules(r: FieldReader, provides: readonly string[]): ToolchainPkgConfigModule[] {
  if (!r.has('Toolchain-Pkg-Config')) return [];
  const out: ToolchainPkgConfigModule[] = [];
  for (const { text, line } of r.lines('Toolchain-Pkg-Config')) {
    const [module = '', version = '', standsFor = '', ...rest] = text.split(/\s+/);
    if (standsFor === '' || rest.length > 0) {
      r.problem('Toolchain-Pkg-Config', `"${text}" is not "<module> <version> <package>"`, line);
      continue;
    }
    const problems = [
      PC_MODULE_RE.test(module) ? undefined : `"${module}" is not a pkg-config module name`,
      PC_VERSION_RE.test(version) ? undefined : `"${version}" is not a pkg-config version`,
      provides.includes(standsFor) ? undefined : `"${standsFor}" is not in Toolchain-Provides: the toolchain supplies a module only for a package it provides`,
      out.some((m) => m.module === module) ? `module ${module} is given twice` : undefined,
    ].filter((p): p is string => p !== undefined);
    for (const message of problems) r.problem('Toolchain-Pkg-Config', message, line);
    if (problems.length === 0) out.push({ module, version, standsFor, line });
  }
  return out;
}

function readTools(r: FieldReader): Partial<Record<ToolName, string>> {
  const tools: Partial<Record<ToolName, string>> = {};
  for (const { text, line } of r.lines('Tools', true)) {
    const m = /^(\S+)\s+(.+)$/.exec(text);
    const name = m?.[1] ?? text;
    if (m === null || !(TOOL_NAMES as readonly string[]).includes(name)) {
      r.problem('Tools', `"${text}" is not "<TOOL> <command>" with TOOL one of ${TOOL_NAMES.join(' ')}`, line);
      continue;
    }
    const tool = name as ToolName;
    if (tools[tool] !== undefined) r.problem('Tools', `tool ${tool} is given twice`, line);
    const command = (m[2] ?? '').trim();
    checkPlaceholders(r, 'Tools', command, line);
    tools[tool] = command;
  }
  if (r.has('Tools')) {
    for (const tool of REQUIRED_TOOLS) if (tools[tool] === undefined) r.problem('Tools', `Tools lacks ${tool}`);
  }
  return tools;
}

function readTableLines(r: FieldReader, field: string, table: keyof typeof COLUMNS): string[] {
  if (!r.has(field)) return [];
  const out: string[] = [];
  for (const { text, line } of r.lines(field)) {
    const columns = text.split(/\s+/).length;
    if (columns !== COLUMNS[table]) {
      r.problem(field, `a ${table} line has ${COLUMNS[table]} columns, "${text}" has ${columns}`, line);
    } else out.push(text);
  }
  return out;
}

function readElf(r: FieldReader): PartialArch['elf'] | undefined {
  const machine = r.required('ELF-Machine');
  const cls = r.required('ELF-Class');
  const data = r.required('ELF-Data');
  let ok = true;
  if (machine !== undefined && !Object.hasOwn(ELF_MACHINES, machine)) {
    r.problem('ELF-Machine', `unknown ELF machine "${machine}" (known: ${Object.keys(ELF_MACHINES).join(', ')})`);
    ok = false;
  }
  if (cls !== undefined && cls !== 'ELFCLASS32' && cls !== 'ELFCLASS64') {
    r.problem('ELF-Class', `ELF-Class must be ELFCLASS32 or ELFCLASS64, not "${cls}"`);
    ok = false;
  }
  if (data !== undefined && data !== 'ELFDATA2LSB' && data !== 'ELFDATA2MSB') {
    r.problem('ELF-Data', `ELF-Data must be ELFDATA2LSB or ELFDATA2MSB, not "${data}"`);
    ok = false;
  }
  if (!ok || machine === undefined || cls === undefined || data === undefined) return undefined;
  const m = machine as ElfMachine;
  return { machine: m, machineNumber: ELF_MACHINES[m], class: cls as ElfClass, data: data as ElfData };
}

function readFlag(r: FieldReader, name: string): string {
  const value = r.optional(name) ?? '';
  checkPlaceholders(r, name, value);
  return value;
}

function readAbsolutePath(r: FieldReader, name: string): string | undefined {
  const value = r.required(name);
  if (value !== undefined && !value.startsWith('/')) r.problem(name, `${name} must be an absolute path in the build image`);
  return value;
}

/**
 * Parse and validate an arch file. `expectedName` (the file name) must match `Name:`. Every
 * problem is collected, so one run shows everything wrong with the file.
 */
export function parseArchFile(text: string, file: string, expectedName?: string): Result<PartialArch, ArchFileError> {
  const parsed = parseDeb822(text, { file, comments: true });
  if (!parsed.ok) return parsed;
  const [paragraph, ...extra] = parsed.value;
  if (paragraph === undefined) {
    return err({ reason: 'invalid-arch-file', file, problems: [{ message: 'the file has no fields', location: { file } }] });
  }
  const r = new FieldReader(paragraph, file, text.split('\n'));
  for (const p of extra) r.problem(undefined, 'an arch file has one paragraph; this is a second one', p.line);

  const formatVersion = checkFormatVersion(r, ARCH_FORMAT_RANGE);
  const name = r.required('Name');
  if (name !== undefined && expectedName !== undefined && name !== expectedName) {
    r.problem('Name', `Name "${name}" does not match the file name "${expectedName}"`);
  }
  if (name !== undefined && !isPackageName(name)) r.problem('Name', `"${name}" is not a Debian architecture name`);
  const description = r.optional('Description');
  const gnuTriplet = r.required('GNU-Triplet');
  if (gnuTriplet !== undefined && !TRIPLET_RE.test(gnuTriplet)) r.problem('GNU-Triplet', `"${gnuTriplet}" is not a GNU triplet`);
  const buildArchitecture = r.required('Build-Architecture');
  const installArchitecture = r.required('Install-Architecture');
  const toolchain = readToolchain(r);
  const toolchainProvides = r.words('Toolchain-Provides');
  for (const p of toolchainProvides) if (!isPackageName(p)) r.problem('Toolchain-Provides', `"${p}" is not a package name`);
  const toolchainPkgConfig = readPkgConfigModules(r, toolchainProvides);
  const cLibrary = r.required('C-Library-Source');
  if (cLibrary !== undefined && cLibrary !== 'none' && !isPackageName(cLibrary)) {
    r.problem('C-Library-Source', `"${cLibrary}" is not a source package name (or "none")`);
  }
  const kernelHeaders = r.words('Kernel-Headers');
  for (const d of kernelHeaders) if (d.startsWith('/') || d.includes('..')) r.problem('Kernel-Headers', `"${d}" must be a directory name under /usr/include`);
  const tools = readTools(r);
  const flags = { cflags: readFlag(r, 'CFLAGS'), cxxflags: readFlag(r, 'CXXFLAGS'), cppflags: readFlag(r, 'CPPFLAGS'), ldflags: readFlag(r, 'LDFLAGS') };
  const staticOnly = r.required('Static-Only');
  if (staticOnly !== undefined && staticOnly !== 'yes') {
    r.problem('Static-Only', `Static-Only: yes is required (partial architectures are static only), not "${staticOnly}"`);
  }
  const buildProfiles = r.words('Build-Profiles', true);
  for (const p of buildProfiles) if (!PROFILE_RE.test(p)) r.problem('Build-Profiles', `"${p}" is not a build profile name`);
  const configSub = readAbsolutePath(r, 'Config-Sub');
  const configGuess = readAbsolutePath(r, 'Config-Guess');
  const configFilesPackage = r.required('Config-Files-Package');
  const dpkgTables: DpkgTableLines = {
    cputable: readTableLines(r, 'Dpkg-Cputable', 'cputable'),
    ostable: readTableLines(r, 'Dpkg-Ostable', 'ostable'),
    tupletable: readTableLines(r, 'Dpkg-Tupletable', 'tupletable'),
  };
  const elf = readElf(r);
  const bakeConfigs = r.words('Bake-Configs', true);
  const bakeDefault = r.required('Bake-Default');
  if (bakeDefault !== undefined && bakeConfigs.length > 0 && !bakeConfigs.includes(bakeDefault)) {
    r.problem('Bake-Default', `Bake-Default "${bakeDefault}" is not one of Bake-Configs (${bakeConfigs.join(' ')})`);
  }
  r.rejectUnread();

  if (
    r.problems.length > 0 || formatVersion === undefined || name === undefined || gnuTriplet === undefined ||
    buildArchitecture === undefined || installArchitecture === undefined || toolchain === undefined ||
    cLibrary === undefined || configSub === undefined || configGuess === undefined ||
    configFilesPackage === undefined || elf === undefined || bakeDefault === undefined
  ) {
    return err({ reason: 'invalid-arch-file', file, problems: r.problems });
  }
  return ok({
    formatVersion, name, gnuTriplet, buildArchitecture, installArchitecture, toolchain, toolchainProvides,
    toolchainPkgConfig, kernelHeaders, tools, flags, staticOnly: true, buildProfiles, configSub, configGuess, configFilesPackage,
    dpkgTables, elf, bakeConfigs, bakeDefault,
    ...(description === undefined ? {} : { description }),
    ...(cLibrary === 'none' ? {} : { cLibrarySource: cLibrary }),
    location: { file, line: paragraph.line },
    contentSha256: sha256Hex(text),
  });
}
