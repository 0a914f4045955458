// The launch configuration of a baked application (pure): the recipe's command line, environment
// and files (manifest.ts), turned into what each arch needs.
// - rumprun: nothing of it is baked in; a JSON document reaches the guest at launch
//   (rumprun-json.ts), the files go into a cookfs object or a disk image (rumprun-fs-image.ts).
// - musl: the files go into the package next to the executable, below a root directory, with a
//   small launcher file that says how the program is started.
// `${NAME}` in the command line is filled at build time from the given values, except the names
// known only at launch (a stub domain's `${DOMID}`): those stay as written, and are listed, for
// whoever launches the image to fill in.
import { posix } from 'node:path';
import type { SourceLocation } from '../model/location.js';
import { err, ok, type Result } from '../model/result.js';
import type { ManifestFile } from './manifest.js';
import type { RumprunBlk, RumprunConfig, RumprunNet } from './rumprun-json.js';

export interface EnvEntry {
  readonly name: string;
  readonly value: string;
}

export interface LaunchSpec {
  /** argv, argv[0] (the program's name) included. */
  readonly argv: readonly string[];
  readonly env: readonly EnvEntry[];
  readonly files: readonly ManifestFile[];
  readonly hostname?: string;
  /** The recipe, for error locations. */
  readonly location: SourceLocation;
}

export type LaunchError =
  | { readonly reason: 'empty-cmdline'; readonly location: SourceLocation }
  | { readonly reason: 'quoting-not-supported'; readonly word: string; readonly location: SourceLocation }
  | { readonly reason: 'undefined-variable'; readonly name: string; readonly word: string; readonly known: readonly string[]; readonly location: SourceLocation }
  | { readonly reason: 'invalid-env-name'; readonly name: string; readonly location: SourceLocation }
  | { readonly reason: 'duplicate-env'; readonly name: string; readonly location: SourceLocation }
  | { readonly reason: 'invalid-package-path'; readonly path: string; readonly detail: string; readonly location: SourceLocation };

/**
 * The recipe's `Launch-Cmdline` as argv: words split on whitespace. The recipe format has no
 * quoting, so a quote or backslash is refused rather than guessed at.
 */
export function parseLaunchCmdline(text: string, location: SourceLocation): Result<string[], LaunchError> {
  const words = text.trim().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return err({ reason: 'empty-cmdline', location });
  const quoted = words.find((w) => /["'\\]/.test(w));
  if (quoted !== undefined) return err({ reason: 'quoting-not-supported', word: quoted, location });
  return ok(words);
}

export interface ResolvedArgs {
  readonly argv: readonly string[];
  /** Launch-time names left in place, in order of first use. */
  readonly launchTimeVariables: readonly string[];
}

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function resolveLaunchArgs(
  argv: readonly string[],
  values: Readonly<Record<string, string>>,
  launchTime: readonly string[],
  location: SourceLocation,
): Result<ResolvedArgs, LaunchError> {
  const left: string[] = [];
  const out: string[] = [];
  for (const word of argv) {
    let missing: string | undefined;
    const resolved = word.replace(PLACEHOLDER, (whole, name: string) => {
      if (launchTime.includes(name)) {
        if (!left.includes(name)) left.push(name);
        return whole;
      }
      const value = Object.hasOwn(values, name) ? values[name] : undefined;
      if (value === undefined) missing ??= name;
      return value ?? whole;
    });
    if (missing !== undefined) {
      return err({ reason: 'undefined-variable', name: missing, word, known: [...Object.keys(values), ...launchTime].sort(), location });
    }
    out.push(resolved);
  }
  return ok({ argv: out, launchTimeVariables: left });
}

function checkEnv(env: readonly EnvEntry[], location: SourceLocation): Result<void, LaunchError> {
  const seen = new Set<string>();
  for (const e of env) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(e.name)) return err({ reason: 'invalid-env-name', name: e.name, location });
    if (seen.has(e.name)) return err({ reason: 'duplicate-env', name: e.name, location });
    seen.add(e.name);
  }
  return ok(undefined);
}

export interface RumprunLaunchOptions {
  /** The `blk` entry of a disk image holding the files (rumprun-fs-image.ts), if they go on a disk. */
  readonly disk?: RumprunBlk;
  readonly net?: RumprunNet;
}

/** The configuration value for one baked program (keys per docs/rumprun.md). */
export function rumprunLaunchConfig(spec: LaunchSpec, options: RumprunLaunchOptions = {}): Result<RumprunConfig, LaunchError> {
  if (spec.argv.length === 0) return err({ reason: 'empty-cmdline', location: spec.location });
  const env = checkEnv(spec.env, spec.location);
  if (!env.ok) return env;
  return ok({
    cmdline: spec.argv,
    env: spec.env.map((e) => `${e.name}=${e.value}`),
    ...(spec.hostname === undefined ? {} : { hostname: spec.hostname }),
    ...(options.net === undefined ? {} : { net: options.net }),
    blk: options.disk === undefined ? [] : [options.disk],
  });
}

export interface MuslLaunchOptions {
  /** The binary package name: files go below `usr/lib/<package>/`. */
  readonly packageName: string;
  /** The executable's path in the package (`usr/lib/xen/bin/qemu-stubdom-i386`). */
  readonly executable: string;
}

export interface PackageEntry {
  /** Path in the package, relative to its root (no leading slash). */
  readonly packagePath: string;
  readonly hostPath: string;
}

export interface MuslLaunchPackage {
  readonly entries: readonly PackageEntry[];
  /** `usr/lib/<package>/launch.json` and its text. */
  readonly launcher: { readonly packagePath: string; readonly content: string };
  /** The directory (in the installed system) that stands for the guest's `/`. */
  readonly root: string;
}

/**
 * The files below `usr/lib/<package>/root/<guest path>` and a launcher file:
 * `{"format":1,"executable":...,"cmdline":[argv],"env":{NAME:value},"root":...,"files":[guest paths]}`.
 */
export function muslLaunchPackage(spec: LaunchSpec, options: MuslLaunchOptions): Result<MuslLaunchPackage, LaunchError> {
  if (spec.argv.length === 0) return err({ reason: 'empty-cmdline', location: spec.location });
  const env = checkEnv(spec.env, spec.location);
  if (!env.ok) return env;
  for (const path of [options.executable, options.packageName]) {
    if (path === '' || path.startsWith('/') || path.split('/').some((s) => s === '' || s === '.' || s === '..')) {
      return err({ reason: 'invalid-package-path', path, detail: 'relative to the package root, normalised', location: spec.location });
    }
  }
  const base = posix.join('usr/lib', options.packageName);
  const rootDir = posix.join(base, 'root');
  const entries = spec.files.map((f) => ({ packagePath: posix.join(rootDir, f.guestPath), hostPath: f.hostPath }));
  const launcher = {
    format: 1,
    executable: `/${options.executable}`,
    cmdline: spec.argv,
    env: Object.fromEntries(spec.env.map((e) => [e.name, e.value])),
    root: `/${rootDir}`,
    files: spec.files.map((f) => f.guestPath),
  };
  return ok({
    entries,
    launcher: { packagePath: posix.join(base, 'launch.json'), content: `${JSON.stringify(launcher, null, 2)}\n` },
    root: `/${rootDir}`,
  });
}

export function describeLaunchError(error: LaunchError): string {
  switch (error.reason) {
    case 'empty-cmdline':
      return 'the launch command line is empty';
    case 'quoting-not-supported':
      return `"${error.word}": the launch command line is split on whitespace and takes no quotes or backslashes`;
    case 'undefined-variable':
      return `"${error.word}": no value for \${${error.name}} (known: ${error.known.join(' ') || 'none'})`;
    case 'invalid-env-name':
      return `environment name "${error.name}" is not [A-Za-z_][A-Za-z0-9_]*`;
    case 'duplicate-env':
      return `environment variable ${error.name} is given twice`;
    case 'invalid-package-path':
      return `package path "${error.path}": ${error.detail}`;
  }
}
