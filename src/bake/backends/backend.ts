// The bake backend model: a backend turns a linked program into the image the arch ships. Like the
// build drivers it is a pure spec builder: it returns the commands (argv, environment, working
// directory) and the mounts they need, and the executor runs them in the build container (or,
// for musl, run-bake-spec.ts on the host). Registry: registry.ts.
import type { SourceLocation } from '../../model/location.js';
import type { Result } from '../../model/result.js';
import type { Mount } from '../../runtime/container-runtime.js';
import type { RumprunTree } from './rumprun-tree.js';
import type { BakeConfigListing } from './rumprun-bake-list.js';

export type BakeBackendId = 'static-executable' | 'rumprun';

/** One program run, without a shell. */
export interface BakeCommand {
  readonly name: string;
  readonly argv: readonly string[];
  /** Added to the runtime's base environment. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
}

export interface BakeOutputs {
  /** The image the package ships: the stripped executable, or the baked unikernel. */
  readonly image: string;
  /** The detached debug file, when the backend makes one. */
  readonly debugFile?: {
    readonly path: string;
    /** Where it goes in a package (Debian's build-id layout), relative to the package root. */
    readonly packagePath: string;
    readonly buildId: string;
  };
}

export interface BakeSpec {
  readonly backend: BakeBackendId;
  readonly config: string;
  readonly commands: readonly BakeCommand[];
  /** Extra mounts the commands need (the rumprun tree at its as-built path). */
  readonly mounts: readonly Mount[];
  readonly outputs: BakeOutputs;
}

/** Tool commands from the arch file (`Tools:`); a value may be several words. */
export interface BakeTools {
  readonly OBJCOPY: string;
  readonly STRIP: string;
}

export type StripMode = 'all' | 'debug-unneeded';

export interface BakeRequest {
  /** The recipe's Bake-Config for this arch: `static-executable`, `xen_pv`, `hw_generic`... */
  readonly config: string;
  /** The linked program (path where the commands run). */
  readonly program: string;
  /** Directory the outputs go to (created by the executor). */
  readonly outDir: string;
  /** File name of the image in outDir. */
  readonly imageName: string;
  readonly tools: BakeTools;
  /** static-executable: the program's GNU build-id (elf-build-id.ts reads it). */
  readonly buildId?: string;
  /** static-executable: `--strip-all` (default, what dh_strip does to executables) or `--strip-debug --strip-unneeded`. */
  readonly strip?: StripMode;
  /** rumprun: the tree, its `rumprun-bake list` and an optional extra config file. */
  readonly rumprun?: {
    readonly tree: RumprunTree;
    readonly listing?: readonly BakeConfigListing[];
    readonly conffile?: string;
    /** More programs baked into the same image (rumprun-bake takes up to 8 in all). */
    readonly extraPrograms?: readonly string[];
  };
  /** The recipe line naming the config, for error locations. */
  readonly origin?: SourceLocation;
}

export type BakeError =
  | { readonly reason: 'unknown-bake-config'; readonly config: string; readonly known: readonly string[]; readonly location: SourceLocation }
  | { readonly reason: 'config-not-in-tree'; readonly config: string; readonly listed: readonly string[]; readonly location: SourceLocation }
  | { readonly reason: 'wrong-platform'; readonly config: string; readonly treePlatform: string; readonly location: SourceLocation }
  | { readonly reason: 'missing-build-id'; readonly program: string; readonly location: SourceLocation }
  | { readonly reason: 'invalid-build-id'; readonly buildId: string; readonly location: SourceLocation }
  | { readonly reason: 'missing-rumprun-tree'; readonly location: SourceLocation }
  | { readonly reason: 'too-many-programs'; readonly count: number; readonly max: number; readonly location: SourceLocation }
  | { readonly reason: 'invalid-path'; readonly path: string; readonly detail: string; readonly location: SourceLocation };

/** One backend. `plan` is pure: same request, same spec. */
export interface BakeBackend {
  readonly id: BakeBackendId;
  readonly summary: string;
  /** The Bake-Config values it serves. */
  readonly configs: readonly string[];
  plan(request: BakeRequest): Result<BakeSpec, BakeError>;
}

export function bakeLocation(request: BakeRequest): SourceLocation {
  return request.origin ?? { file: `bake(${request.config})` };
}

/** A tool value as argv words (`ccache strip` → two words). */
export function toolWords(tool: string): string[] {
  return tool.trim().split(/\s+/).filter((w) => w !== '');
}

export function describeBakeError(error: BakeError): string {
  switch (error.reason) {
    case 'unknown-bake-config':
      return `unknown bake config "${error.config}" (known: ${error.known.join(' ')})`;
    case 'config-not-in-tree':
      return `rumprun-bake list does not offer "${error.config}" (it lists: ${error.listed.join(' ')})`;
    case 'wrong-platform':
      return `bake config "${error.config}" needs a ${error.config.split('_')[0] ?? ''} tree; this rumprun tree is built for ${error.treePlatform}`;
    case 'missing-build-id':
      return `${error.program} has no GNU build-id: link it with -Wl,--build-id (musl-gcc's specs do not add one)`;
    case 'invalid-build-id':
      return `"${error.buildId}" is not a build-id (lower-case hex, at least 2 bytes)`;
    case 'missing-rumprun-tree':
      return 'a rumprun bake needs the rumprun tree (set STUBFORGE_RUMPRUN)';
    case 'too-many-programs':
      return `rumprun-bake takes at most ${error.max} programs, got ${error.count}`;
    case 'invalid-path':
      return `path "${error.path}": ${error.detail}`;
  }
}
