// What an application build really linked, program by program (I/O around bake/): each Install
// file the build linked has its own link map; the map is parsed, every archive attributed (the
// staged closure's file lists, the toolchain tree, dpkg in the build image), the recipe's
// Link-From-Closure requirements enforced, and the copyright file of every embedded source found.
// This — not the plan — is the provenance the package names.
import { open } from 'node:fs/promises';
import { readTreeText } from './tree-files.js';
import { join, posix } from 'node:path';
import type { ProcessRunner } from '../../io/process.js';
import { closureOwners, type ClosurePackage } from '../../bake/closure-owners.js';
import { attributeArchives, describeOwner, type Attribution, type HostOwnerQuery, type LibraryRequirement, type SourceUse, type ToolchainTree } from '../../bake/link-attribution.js';
import { readLinkEvidence } from '../../bake/link-trace-io.js';
import type { LinkEvidence } from '../../bake/link-trace.js';
import type { EmbeddedSource } from '../../deb/app-deb.js';
import type { SourceLocation } from '../../model/location.js';
import { err, ok, type Result } from '../../model/result.js';
import { STEP_PATHS } from '../../runtime/build-step.js';
import { CONTAINER_BUILD_DIR } from './container-build.js';
import type { ApplicationError } from './app-errors.js';
import { APP_OUTPUT, type InstallFile } from './app-step.js';
import { exists } from '../../io/errno.js';

export interface LinkedProgram {
  readonly install: InstallFile;
  /** The linked (unbaked) program on this machine. */
  readonly path: string;
  readonly mapFile: string;
  readonly evidence: LinkEvidence;
  readonly attribution: Attribution;
}

export interface LinkProvenance {
  readonly programs: readonly LinkedProgram[];
  /** Every source whose code is in some program, by name: what Static-Built-Using names. */
  readonly sources: readonly SourceUse[];
  /** The compiler's own runtime (gcc's libgcc.a helpers), linked but not named: see COMPILER_RUNTIME. */
  readonly compilerRuntime: readonly SourceUse[];
  /** Toolchain-tree archives linked (rumprun's own libc): part of the toolchain, with no Debian source. */
  readonly toolchainParts: readonly { readonly tree: string; readonly path: string }[];
}

export interface ProvenanceInput {
  /** The step's output directory on this machine. */
  readonly outputDir: string;
  readonly install: readonly InstallFile[];
  readonly closure: readonly ClosurePackage[];
  readonly toolchainTrees: readonly ToolchainTree[];
  readonly hostOwner: HostOwnerQuery;
  readonly requirements: readonly LibraryRequirement[];
  readonly location: SourceLocation;
  readonly run?: ProcessRunner;
}

/**
 * gcc's private runtime archives. Their helpers (`__popcountsi2`, `__udivdi3` ...) go into every
 * binary gcc links, dynamic ones included, under the GCC Runtime Library Exception; Debian names
 * gcc in no package's Built-Using or Static-Built-Using, so neither does stubforge. They are kept
 * in the provenance record and the SPDX document.
 */
export const COMPILER_RUNTIME = /^\/usr\/lib\/gcc\/[^/]+\/[^/]+\/libgcc(_eh)?\.a$/;

/** Archives the application's own build made (QEMU's libqemuutil.a): its own source, not an embedded one. */
export function isOwnArchive(path: string): boolean {
  return [STEP_PATHS.build, CONTAINER_BUILD_DIR].some((dir) => path.startsWith(`${dir}/`));
}

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

async function isElf(path: string): Promise<boolean> {
  try {
    const handle = await open(path, 'r');
    try {
      const head = Buffer.alloc(4);
      await handle.read(head, 0, 4, 0);
      return head.equals(ELF_MAGIC);
    } finally {
      await handle.close();
    }
  } catch {
    return false;
  }
}

export async function linkProvenance(input: ProvenanceInput): Promise<Result<LinkProvenance, ApplicationError>> {
  const location = input.location;
  const owners = await closureOwners(input.closure, STEP_PATHS.deps, input.run);
  if (!owners.ok) return err({ reason: 'closure-unreadable', package: owners.error.package, detail: owners.error.detail, location: owners.error.location });
  const programs: LinkedProgram[] = [];
  for (const install of input.install) {
    const path = join(input.outputDir, APP_OUTPUT.package, install.to);
    const mapFile = join(input.outputDir, APP_OUTPUT.maps, `${posix.basename(install.from)}.map`);
    if (!(await exists(mapFile))) {
      if (await isElf(path)) return err({ reason: 'no-link-evidence', program: install.from, expected: `${APP_OUTPUT.maps}/${posix.basename(install.from)}.map`, location });
      continue;
    }
    // The link ran where the program was written (meson, make): relative inputs are relative to it.
    const evidence = await readLinkEvidence(mapFile, 'map', posix.dirname(posix.join(STEP_PATHS.build, install.from)));
    if (!evidence.ok) return err({ reason: 'link-evidence', error: evidence.error, location: evidence.error.location });
    if (evidence.value.sharedObjects.length > 0) return err({ reason: 'dynamic-link', program: install.from, sharedObjects: evidence.value.sharedObjects, location: { file: mapFile } });
    const hostOwner: HostOwnerQuery = (archive) => (isOwnArchive(archive) ? Promise.resolve(ok(undefined)) : input.hostOwner(archive));
    const attribution = await attributeArchives(evidence.value, {
      owners: owners.value, toolchainTrees: input.toolchainTrees, hostOwner, requirements: input.requirements,
    });
    if (!attribution.ok) return err({ reason: 'attribution', program: install.from, errors: attribution.error, location: { file: mapFile } });
    const unknown = attribution.value.unattributed.filter((a) => a.kind === 'unknown' && !isOwnArchive(a.archive.normalizedPath));
    if (unknown.length > 0) {
      return err({ reason: 'unattributed-archive', program: install.from, archives: unknown.map((a) => ({ path: a.archive.normalizedPath, detail: describeOwner(a) })), location: { file: mapFile } });
    }
    programs.push({ install, path, mapFile, evidence: evidence.value, attribution: attribution.value });
  }
  if (programs.length === 0) return err({ reason: 'no-linked-program', installed: input.install.map((i) => i.from), location });
  const merged = mergeSources(programs);
  const runtime = (u: SourceUse): boolean => u.origin === 'toolchain-package' && u.archives.every((a) => COMPILER_RUNTIME.test(a));
  return ok({ programs, sources: merged.filter((u) => !runtime(u)), compilerRuntime: merged.filter(runtime), toolchainParts: toolchainParts(programs) });
}

function mergeSources(programs: readonly LinkedProgram[]): SourceUse[] {
  const merged = new Map<string, SourceUse>();
  for (const p of programs) {
    for (const s of p.attribution.sources) {
      const key = `${s.source}\0${s.version}`;
      const before = merged.get(key);
      merged.set(key, before === undefined ? s : {
        ...before,
        packages: [...new Set([...before.packages, ...s.packages])].sort(),
        archives: [...new Set([...before.archives, ...s.archives])],
      });
    }
  }
  return [...merged.values()].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
}

function toolchainParts(programs: readonly LinkedProgram[]): { tree: string; path: string }[] {
  const out = new Map<string, { tree: string; path: string }>();
  for (const p of programs) {
    for (const a of p.attribution.unattributed) if (a.kind === 'toolchain-tree') out.set(`${a.tree.name}\0${a.relativePath}`, { tree: a.tree.name, path: a.relativePath });
  }
  return [...out.values()];
}

export interface CopyrightSources {
  /** The staged closure on this machine (its packages' /usr/share/doc/<pkg>/copyright). */
  readonly stagedDir: string;
  /** Runs a command in the build image (`cat` of a toolchain package's copyright file). */
  readonly imageRun: ProcessRunner;
}

/** Every embedded source with its copyright file: a closure package's, or the toolchain package's in the image. */
export async function embeddedSources(sources: readonly SourceUse[], from: CopyrightSources, location: SourceLocation): Promise<Result<EmbeddedSource[], ApplicationError>> {
  const out: EmbeddedSource[] = [];
  for (const s of sources) {
    const pkg = (s.packages[0] ?? '').split(':')[0] ?? '';
    const path = `/usr/share/doc/${pkg}/copyright`;
    let text: string | undefined;
    let detail = '';
    if (s.origin === 'closure') {
      // The staged closure is read under the tree rule: no link out of it is followed.
      const read = await readTreeText(from.stagedDir, path.slice(1));
      if (read.ok) text = read.value;
      else detail = `${read.error.path}: ${read.error.detail}`;
    } else {
      const read = await from.imageRun('cat', [path], { timeoutMs: 60_000 });
      if (read.code === 0) text = read.stdout.toString('utf8');
      else detail = `cat ${path} in the build image: ${read.failure ?? read.stderr.trim()}`;
    }
    if (text === undefined) return err({ reason: 'copyright-missing', source: s.source, detail, location });
    out.push({
      source: s.source, version: s.version, origin: s.origin, packages: s.packages,
      copyright: { text, readFrom: s.origin === 'closure' ? `${path} (${s.packages[0] ?? ''})` : `${path} in the build image (${s.packages[0] ?? ''})` },
    });
  }
  return ok(out);
}
