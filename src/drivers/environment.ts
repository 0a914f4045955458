// The environment every build step gets, whatever the driver: the arch's tools set explicitly
// (rumprun.md: with only CHOST, zlib's configure picked the host cc), flags that put the staged
// dependencies first (rumprun's sysroot ships an old libz that must not win), and a pkg-config that
// sees only the staged closure.
import { ok, err, type Result } from '../model/result.js';
import { archLocation, recipeLocation, type DriverError, type DriverInput } from './driver.js';
import { isEnvName, joinPath } from './shell.js';

/** Paths every driver derives from the input, and the environment of its steps. */
export interface StepContext {
  readonly input: DriverInput;
  /** The source directory the build system lives in (`source.dir` + `subdir`). */
  readonly srcDir: string;
  /** Generated files (cross file, toolchain file, kernel header links) live here. */
  readonly generatedDir: string;
  /** Symlinks to the arch's kernel header directories, when it has any. */
  readonly kernelHeaderDir?: string;
  /** PKG_CONFIG_SYSROOT_DIR, when the staged closure is a sysroot rather than the prefix itself. */
  readonly pkgConfigSysroot?: string;
  /** Flags as argument lists (the env holds them joined); meson's cross file wants the lists. */
  readonly flags: { readonly cflags: readonly string[]; readonly cppflags: readonly string[]; readonly ldflags: readonly string[] };
  readonly env: Readonly<Record<string, string>>;
}

/** Flag variables a recipe's `env` appends to instead of replacing. */
const APPENDED_FLAGS = ['CFLAGS', 'CXXFLAGS', 'CPPFLAGS', 'LDFLAGS'] as const;

export function stepContext(input: DriverInput): Result<StepContext, DriverError> {
  const paths = checkPaths(input);
  if (!paths.ok) return paths;
  const archFlags = checkFlags(input);
  if (!archFlags.ok) return archFlags;
  const sysroot = pkgConfigSysroot(input);
  if (!sysroot.ok) return sysroot;

  const { arch, depsPrefix } = input;
  const generatedDir = joinPath(input.buildDir, 'stubforge');
  const kernelHeaderDir = arch.kernelHeaders !== undefined && arch.kernelHeaders.length > 0
    ? joinPath(generatedDir, 'kernel-headers') : undefined;
  const recipeEnv = input.options.env ?? {};
  const extra = (name: (typeof APPENDED_FLAGS)[number]): string[] => {
    const value = recipeEnv[name];
    return value === undefined ? [] : value.split(/\s+/).filter((w) => w !== '');
  };
  // Staged dependencies first, so they win over anything the toolchain's sysroot carries.
  const cppflags = [`-I${joinPath(depsPrefix, 'include')}`, ...arch.cppflags,
    ...(kernelHeaderDir === undefined ? [] : ['-isystem', kernelHeaderDir]), ...extra('CPPFLAGS')];
  const cflags = [...arch.cflags, ...extra('CFLAGS')];
  const cxxflags = [...arch.cflags, ...extra('CXXFLAGS')];
  const ldflags = [`-L${joinPath(depsPrefix, 'lib')}`, ...arch.ldflags, ...extra('LDFLAGS')];

  const srcDir = joinPath(input.source.dir, input.options.subdir ?? '');
  const env: Record<string, string> = {
    CC: arch.tools.CC, CXX: arch.tools.CXX, AR: arch.tools.AR, RANLIB: arch.tools.RANLIB,
    STRIP: arch.tools.STRIP, NM: arch.tools.NM, LD: arch.tools.LD, OBJCOPY: arch.tools.OBJCOPY,
    PKG_CONFIG: arch.tools.PKG_CONFIG ?? 'pkg-config',
    CFLAGS: cflags.join(' '), CXXFLAGS: cxxflags.join(' '), CPPFLAGS: cppflags.join(' '),
    LDFLAGS: ldflags.join(' '),
    // LIBDIR replaces the default search path: no .pc file of the build machine can leak in.
    PKG_CONFIG_LIBDIR: [joinPath(depsPrefix, 'lib', 'pkgconfig'), joinPath(depsPrefix, 'share', 'pkgconfig')].join(':'),
    PKG_CONFIG_PATH: '',
    // meson's find_library ignores LDFLAGS; the compiler driver reads LIBRARY_PATH (environment.md).
    LIBRARY_PATH: joinPath(depsPrefix, 'lib'),
    LC_ALL: 'C.UTF-8',
    STUBFORGE_HOST: arch.triplet, STUBFORGE_BUILD: arch.buildTriplet, STUBFORGE_PREFIX: input.prefix,
    STUBFORGE_DESTDIR: input.destDir, STUBFORGE_DEPS: depsPrefix, STUBFORGE_JOBS: String(input.jobs),
    STUBFORGE_SRC: srcDir, STUBFORGE_BUILDDIR: input.buildDir,
  };
  if (sysroot.value !== undefined) env['PKG_CONFIG_SYSROOT_DIR'] = sysroot.value;
  if (input.sourceDateEpoch !== undefined) env['SOURCE_DATE_EPOCH'] = String(input.sourceDateEpoch);
  for (const [name, value] of Object.entries(recipeEnv)) {
    if (!isEnvName(name)) {
      return err({ reason: 'invalid-variable', name, detail: 'not a shell variable name', location: recipeLocation(input) });
    }
    if (!(APPENDED_FLAGS as readonly string[]).includes(name)) env[name] = value;
  }
  return ok({
    input, srcDir, generatedDir, kernelHeaderDir, pkgConfigSysroot: sysroot.value,
    flags: { cflags, cppflags, ldflags }, env,
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

function checkFlags(input: DriverInput): Result<void, DriverError> {
  const { arch } = input;
  for (const flag of [...arch.cflags, ...arch.cppflags, ...arch.ldflags]) {
    if (flag === '' || /\s/.test(flag)) {
      return err({ reason: 'invalid-flag', flag, detail: 'one argument per element, without whitespace', location: archLocation(arch) });
    }
  }
  return ok(undefined);
}
