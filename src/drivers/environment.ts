// The environment every build step gets, whatever the driver: the arch's tools set explicitly
// (docs/rumprun.md: with only CHOST, zlib's configure picked the host cc), flags that put the staged
// dependencies first (rumprun's sysroot ships an old libz that must not win), and a pkg-config that
// sees only the staged closure.
import { ok, err, type Result } from '../model/result.js';
import { archLocation, recipeLocation, type DriverError, type DriverInput } from './driver.js';
import { isEnvName, joinPath } from './shell.js';
import { fillAll, fillRecord } from './placeholders.js';

/** Recipe options with every `${NAME}` placeholder filled in: what the drivers read. */
export interface ResolvedOptions {
  readonly configureArgs: readonly string[];
  readonly mesonOptions: readonly string[];
  readonly cmakeOptions: readonly string[];
  readonly makeArgs: readonly string[];
  readonly cacheVariables: Readonly<Record<string, string>>;
}

/** Paths every driver derives from the input, and the environment of its steps. */
export interface StepContext {
  readonly input: DriverInput;
  readonly options: ResolvedOptions;
  /** The source directory the build system lives in (`source.dir` + `subdir`). */
  readonly srcDir: string;
  /** Generated files (cross file, toolchain file, kernel header links) live here. */
  readonly generatedDir: string;
  /** Symlinks to the arch's kernel header directories, when it has any. */
  readonly kernelHeaderDir?: string;
  /** The `.pc` files the toolchain supplies (`ArchToolchain.pkgConfigModules`), when it has any. */
  readonly toolchainPkgConfigDir?: string;
  /** PKG_CONFIG_SYSROOT_DIR, when the staged closure is a sysroot rather than the prefix itself. */
  readonly pkgConfigSysroot?: string;
  /** Flags as argument lists (the env holds them joined); meson's cross file wants the lists. */
  readonly flags: {
    readonly cflags: readonly string[];
    readonly cxxflags: readonly string[];
    readonly cppflags: readonly string[];
    readonly ldflags: readonly string[];
  };
  readonly env: Readonly<Record<string, string>>;
}

/** Flag variables a recipe's `env` appends to instead of replacing. */
const APPENDED_FLAGS = ['CFLAGS', 'CXXFLAGS', 'CPPFLAGS', 'LDFLAGS'] as const;
const OPTIONAL_TOOLS = ['CPP', 'AS', 'OBJDUMP', 'READELF'] as const;

function words(value: string | undefined): string[] {
  return value === undefined ? [] : value.split(/\s+/).filter((w) => w !== '');
}

export function stepContext(input: DriverInput): Result<StepContext, DriverError> {
  const paths = checkPaths(input);
  if (!paths.ok) return paths;
  const sysroot = pkgConfigSysroot(input);
  if (!sysroot.ok) return sysroot;
  const { arch, depsPrefix, options } = input;

  // Build-dependent values first: the arch's flags may use them (`-L${STAGE}/lib`).
  const values = new Map<string, string>([
    ['TRIPLET', arch.triplet], ['PREFIX', input.prefix], ['STAGE', depsPrefix], ['JOBS', String(input.jobs)],
  ]);
  const archFlags = fillArchFlags(input, values);
  if (!archFlags.ok) return archFlags;
  const generatedDir = joinPath(input.buildDir, 'stubforge');
  const kernelHeaderDir = arch.kernelHeaders !== undefined && arch.kernelHeaders.length > 0
    ? joinPath(generatedDir, 'kernel-headers') : undefined;
  const toolchainPkgConfigDir = (arch.pkgConfigModules ?? []).length > 0 ? joinPath(generatedDir, 'toolchain-pkgconfig') : undefined;
  // Staged dependencies first, so they win over anything the toolchain's sysroot carries.
  const base = {
    CPPFLAGS: [`-I${joinPath(depsPrefix, 'include')}`, ...archFlags.value.cppflags,
      ...(kernelHeaderDir === undefined ? [] : ['-isystem', kernelHeaderDir])],
    CFLAGS: archFlags.value.cflags,
    CXXFLAGS: archFlags.value.cxxflags,
    LDFLAGS: [`-L${joinPath(depsPrefix, 'lib')}`, ...archFlags.value.ldflags],
  };
  const tools: Record<string, string> = {
    CC: arch.tools.CC, CXX: arch.tools.CXX ?? 'false', AR: arch.tools.AR, RANLIB: arch.tools.RANLIB,
    STRIP: arch.tools.STRIP, NM: arch.tools.NM, LD: arch.tools.LD, OBJCOPY: arch.tools.OBJCOPY,
    PKG_CONFIG: arch.tools.PKG_CONFIG ?? 'pkg-config',
  };
  for (const name of OPTIONAL_TOOLS) {
    const tool = arch.tools[name];
    if (tool !== undefined) tools[name] = tool;
  }
  for (const [name, value] of [...Object.entries(tools), ...Object.entries(base).map(([k, v]) => [k, v.join(' ')] as const)]) {
    values.set(name, value);
  }

  const resolved = resolveOptions(input, values);
  if (!resolved.ok) return resolved;
  const { options: resolvedOptions, env: recipeEnv } = resolved.value;
  const cppflags = [...base.CPPFLAGS, ...words(recipeEnv['CPPFLAGS'])];
  const cflags = [...base.CFLAGS, ...words(recipeEnv['CFLAGS'])];
  const cxxflags = [...base.CXXFLAGS, ...words(recipeEnv['CXXFLAGS'])];
  const ldflags = [...base.LDFLAGS, ...words(recipeEnv['LDFLAGS'])];

  const srcDir = joinPath(input.source.dir, options.subdir ?? '');
  const env: Record<string, string> = {
    ...tools,
    CFLAGS: cflags.join(' '), CXXFLAGS: cxxflags.join(' '), CPPFLAGS: cppflags.join(' '),
    LDFLAGS: ldflags.join(' '),
    // LIBDIR replaces the default search path: no .pc file of the build machine can leak in.
    // The toolchain's own modules come last: a staged library's .pc always wins.
    PKG_CONFIG_LIBDIR: [joinPath(depsPrefix, 'lib', 'pkgconfig'), joinPath(depsPrefix, 'share', 'pkgconfig'),
      ...(toolchainPkgConfigDir === undefined ? [] : [toolchainPkgConfigDir])].join(':'),
    PKG_CONFIG_PATH: '',
    // meson's find_library ignores LDFLAGS; the compiler driver reads LIBRARY_PATH (docs/closure-by-hand.md).
    LIBRARY_PATH: joinPath(depsPrefix, 'lib'),
    // pkgconf counts LIBRARY_PATH directories as system ones and drops their -L from its output;
    // consumers must still get -L<staged lib> first (rumprun's sysroot carries an older libz).
    PKG_CONFIG_ALLOW_SYSTEM_LIBS: '1',
    LC_ALL: 'C.UTF-8',
    // Install destination: the drivers also pass it explicitly; recipe steps use $DESTDIR.
    DESTDIR: input.destDir,
    STUBFORGE_HOST: arch.triplet, STUBFORGE_BUILD: arch.buildTriplet, STUBFORGE_PREFIX: input.prefix,
    STUBFORGE_DESTDIR: input.destDir, STUBFORGE_DEPS: depsPrefix, STUBFORGE_JOBS: String(input.jobs),
    STUBFORGE_SRC: srcDir, STUBFORGE_BUILDDIR: input.buildDir,
    // For steps recipes that run a configure themselves (xen): split into words by the shell.
    STUBFORGE_CONFIGURE_OPTIONS: resolvedOptions.configureArgs.join(' '),
    // Autoconf reads `*_cv_*` from the environment as cached answers, in any step that configures.
    ...resolvedOptions.cacheVariables,
  };
  if (sysroot.value !== undefined) env['PKG_CONFIG_SYSROOT_DIR'] = sysroot.value;
  if (input.sourceDateEpoch !== undefined) env['SOURCE_DATE_EPOCH'] = String(input.sourceDateEpoch);
  for (const [name, value] of Object.entries(recipeEnv)) {
    if (!(APPENDED_FLAGS as readonly string[]).includes(name)) env[name] = value;
  }
  return ok({
    input, options: resolvedOptions, srcDir, generatedDir,
    ...(kernelHeaderDir === undefined ? {} : { kernelHeaderDir }),
    ...(toolchainPkgConfigDir === undefined ? {} : { toolchainPkgConfigDir }), ...(sysroot.value === undefined ? {} : { pkgConfigSysroot: sysroot.value }),
    flags: { cflags, cxxflags, cppflags, ldflags }, env,
  });
}

interface ArchFlags { cflags: string[]; cxxflags: string[]; cppflags: string[]; ldflags: string[] }

/** The arch's flags with build values filled in; each must stay one whitespace-free argument. */
function fillArchFlags(input: DriverInput, values: ReadonlyMap<string, string>): Result<ArchFlags, DriverError> {
  const { arch } = input;
  const location = archLocation(arch);
  const lists = { cflags: arch.cflags, cxxflags: arch.cxxflags ?? arch.cflags, cppflags: arch.cppflags, ldflags: arch.ldflags };
  const out: ArchFlags = { cflags: [], cxxflags: [], cppflags: [], ldflags: [] };
  for (const key of ['cflags', 'cxxflags', 'cppflags', 'ldflags'] as const) {
    const filled = fillAll(lists[key], values, location);
    if (!filled.ok) return filled;
    for (const flag of filled.value) {
      if (flag === '' || /\s/.test(flag)) {
        return err({ reason: 'invalid-flag', flag, detail: 'one argument per element, without whitespace', location });
      }
    }
    out[key] = filled.value;
  }
  return ok(out);
}

function resolveOptions(input: DriverInput, values: ReadonlyMap<string, string>): Result<{ options: ResolvedOptions; env: Record<string, string> }, DriverError> {
  const { options } = input;
  const location = recipeLocation(input);
  for (const [name, kind] of [...Object.keys(options.env ?? {}).map((n) => [n, 'env'] as const),
    ...Object.keys(options.cacheVariables ?? {}).map((n) => [n, 'cache'] as const)]) {
    if (!isEnvName(name)) return err({ reason: 'invalid-variable', name, detail: 'not a shell variable name', location });
    if (kind === 'cache' && !name.includes('_cv_')) {
      return err({ reason: 'invalid-variable', name, detail: 'autoconf cache variables look like ac_cv_func_malloc_0_nonnull', location });
    }
  }
  const configureArgs = fillAll(options.configureArgs ?? [], values, location);
  if (!configureArgs.ok) return configureArgs;
  const mesonOptions = fillAll(options.mesonOptions ?? [], values, location);
  if (!mesonOptions.ok) return mesonOptions;
  const cmakeOptions = fillAll(options.cmakeOptions ?? [], values, location);
  if (!cmakeOptions.ok) return cmakeOptions;
  const makeArgs = fillAll(options.makeArgs ?? [], values, location);
  if (!makeArgs.ok) return makeArgs;
  const cacheVariables = fillRecord(options.cacheVariables ?? {}, values, location);
  if (!cacheVariables.ok) return cacheVariables;
  const env = fillRecord(options.env ?? {}, values, location);
  if (!env.ok) return env;
  return ok({
    options: {
      configureArgs: configureArgs.value, mesonOptions: mesonOptions.value, cmakeOptions: cmakeOptions.value,
      makeArgs: makeArgs.value, cacheVariables: cacheVariables.value,
    },
    env: env.value,
  });
}

/**
 * The staged closure's `.pc` files say `prefix=<prefix>` (they are the files the -cross packages
 * install). Installed at the prefix itself, they are right as they are. Staged elsewhere, the
 * staging directory must be a sysroot `<root><prefix>`, and PKG_CONFIG_SYSROOT_DIR=<root> makes
 * pkg-config prepend <root> to every -I/-L it prints. Any other layout would hand the compiler
 * paths that do not exist, so it is refused.
 */
function pkgConfigSysroot(input: DriverInput): Result<string | undefined, DriverError> {
  const deps = joinPath(input.depsPrefix);
  const prefix = joinPath(input.prefix);
  if (deps === prefix) return ok(undefined);
  if (deps.endsWith(prefix) && prefix !== '/') {
    const root = deps.slice(0, deps.length - prefix.length);
    if (root !== '' && !root.endsWith('/')) return ok(root);
  }
  return err({ reason: 'deps-prefix-layout', depsPrefix: input.depsPrefix, prefix: input.prefix, location: recipeLocation(input) });
}

function checkPaths(input: DriverInput): Result<void, DriverError> {
  const location = recipeLocation(input);
  const absolute: readonly string[] = [input.source.dir, input.buildDir, input.prefix, input.destDir,
    input.depsPrefix, input.arch.configSubGuessDir, ...(input.arch.kernelHeaders ?? [])];
  for (const path of absolute) {
    if (!path.startsWith('/')) return err({ reason: 'invalid-path', path, detail: 'must be absolute', location });
    // Paths travel inside whitespace-separated flag variables (CPPFLAGS=-I<deps>/include).
    if (/\s/.test(path)) return err({ reason: 'invalid-path', path, detail: 'must not contain whitespace', location });
  }
  const names = (input.arch.kernelHeaders ?? []).map((dir) => dir.split('/').filter((p) => p !== '').pop() ?? '');
  const clash = names.find((name, i) => name === '' || names.indexOf(name) !== i);
  if (clash !== undefined) {
    return err({ reason: 'invalid-path', path: clash, detail: 'kernel header directories must have distinct base names', location: archLocation(input.arch) });
  }
  for (const rel of [input.options.subdir, ...(input.options.steps ?? []).map((s) => s.cwd)]) {
    if (rel === undefined) continue;
    if (rel.startsWith('/') || rel.split('/').includes('..')) {
      return err({ reason: 'invalid-path', path: rel, detail: 'must be relative to the source and stay inside it', location });
    }
  }
  if (!Number.isInteger(input.jobs) || input.jobs < 1) {
    return err({ reason: 'invalid-variable', name: 'jobs', detail: `must be a positive integer, not ${input.jobs}`, location });
  }
  const epoch = input.sourceDateEpoch;
  if (epoch !== undefined && (!Number.isInteger(epoch) || epoch < 0)) {
    return err({ reason: 'invalid-variable', name: 'SOURCE_DATE_EPOCH', detail: `must be a non-negative integer, not ${epoch}`, location });
  }
  return ok(undefined);
}
