// Baking the linked programs of an application (I/O): the recipe's Bake-Config picks the backend
// (bake/backends/). musl: the static executable is the image — stripped on this machine with the
// build machine's binutils, the debug information kept in a file named by the build-id. rumprun:
// `rumprun-bake <config> <out> <in>` in a container of the build image, with the tree mounted
// where its wrappers expect it and the work folder mounted at its own path.
import { chmod, mkdir } from 'node:fs/promises';
import { posix } from 'node:path';
import type { BakeCommand, BakeSpec } from '../../bake/backends/backend.js';
import { backendForConfig } from '../../bake/backends/registry.js';
import type { RumprunTree } from '../../bake/backends/rumprun-tree.js';
import { readBuildIdFromFile, runBakeCommandsOnHost } from '../../bake/bake-host.js';
import type { ArchToolchain } from '../../drivers/driver.js';
import { shCommand } from '../../drivers/shell.js';
import type { Logger } from '../../log/logger.js';
import type { SourceLocation } from '../../model/location.js';
import { err, ok, type Result } from '../../model/result.js';
import { describeRuntimeError, type ContainerRuntime, type Mount } from '../../runtime/container-runtime.js';
import { BUILDER } from '../../runtime/env-spec.js';
import type { ApplicationError } from './app-errors.js';
import type { LinkedProgram } from './app-provenance.js';
import type { InstallFile } from './app-step.js';

export interface BakedProgram {
  readonly install: InstallFile;
  readonly backend: BakeSpec['backend'];
  /** The image on this machine: what the package ships at `install.to`. */
  readonly image: string;
  readonly debugFile?: { readonly path: string; readonly packagePath: string; readonly buildId: string };
}

export interface BakeSettings {
  readonly config: string;
  /** The recipe line (or arch file) that chose the config. */
  readonly origin: SourceLocation;
  readonly toolchain: ArchToolchain;
  /** Where the images are written (created). */
  readonly workDir: string;
  /** PATH etc. for commands run on this machine (cli/ owns process.env). */
  readonly baseEnv: Readonly<Record<string, string>>;
  readonly rumprun?: RumprunTree;
  /** For container bakes (rumprun). */
  readonly container?: { readonly runtime: ContainerRuntime; readonly image: string; readonly run: string; readonly key: string; readonly package: string };
  readonly log: Logger;
  readonly signal?: AbortSignal;
}

export async function bakePrograms(programs: readonly LinkedProgram[], s: BakeSettings): Promise<Result<BakedProgram[], ApplicationError>> {
  const backend = backendForConfig(s.config, s.origin);
  if (!backend.ok) return err({ reason: 'bake', error: backend.error, location: s.origin });
  const out: BakedProgram[] = [];
  for (const [i, program] of programs.entries()) {
    const outDir = posix.join(s.workDir, `bake-${String(i)}`);
    await mkdir(outDir, { recursive: true });
    let buildId: string | undefined;
    if (backend.value.id === 'static-executable') {
      const id = await readBuildIdFromFile(program.path);
      if (!id.ok) return err({ reason: 'build-id', program: program.install.from, error: id.error, location: { file: program.path } });
      buildId = id.value;
    }
    const spec = backend.value.plan({
      config: s.config, program: program.path, outDir, imageName: posix.basename(program.install.to),
      tools: { OBJCOPY: s.toolchain.tools.OBJCOPY, STRIP: s.toolchain.tools.STRIP }, origin: s.origin,
      ...(buildId === undefined ? {} : { buildId }),
      ...(s.rumprun === undefined ? {} : { rumprun: { tree: s.rumprun } }),
    });
    if (!spec.ok) return err({ reason: 'bake', error: spec.error, location: s.origin });
    if (spec.value.backend === 'static-executable') {
      const ran = await runBakeCommandsOnHost(spec.value.commands, { baseEnv: s.baseEnv, log: s.log, ...(s.signal === undefined ? {} : { signal: s.signal }) });
      if (!ran.ok) return err({ reason: 'bake-command', error: ran.error, location: s.origin });
    } else {
      const mounts: Mount[] = [
        ...spec.value.mounts, { source: outDir, target: outDir, readOnly: false },
        { source: posix.dirname(program.path), target: posix.dirname(program.path), readOnly: true },
      ];
      const ran = await runInImage(spec.value.commands, mounts, outDir, s);
      if (!ran.ok) return ran;
    }
    s.log.info({ program: program.install.from, backend: spec.value.backend, config: s.config, image: spec.value.outputs.image }, 'program baked');
    out.push({
      install: program.install, backend: spec.value.backend, image: spec.value.outputs.image,
      ...(spec.value.outputs.debugFile === undefined ? {} : { debugFile: spec.value.outputs.debugFile }),
    });
  }
  return ok(out);
}

/** The commands in one container of the build image, as the build user, without network. */
async function runInImage(commands: readonly BakeCommand[], mounts: readonly Mount[], outDir: string, s: BakeSettings): Promise<Result<void, ApplicationError>> {
  const c = s.container;
  const location = s.origin;
  if (c === undefined) return err({ reason: 'rumprun-tree', detail: 'a rumprun bake runs in the build image, and none was given', location });
  // The build user writes the images into a folder this (root) process made.
  await chmod(outDir, 0o777);
  const script = commands.map((cmd) => `cd ${shCommand([cmd.cwd])} && ${shCommand(['env', ...Object.entries(cmd.env).map(([k, v]) => `${k}=${v}`), ...cmd.argv])}`).join('\n');
  const created = await c.runtime.createStep({
    image: c.image, cmd: ['sh', '-e', '-c', script], user: `${BUILDER.uid}:${BUILDER.gid}`, network: 'none', timeoutMs: 600_000,
    mounts, labels: { run: c.run, package: c.package, key: c.key, kind: 'build' },
  });
  const fail = (detail: string, exitCode?: number): Result<void, ApplicationError> => err({
    reason: 'bake-command', location,
    error: { reason: 'command-failed', name: commands.map((x) => x.name).join(' + '), argv: commands.flatMap((x) => x.argv), exitCode, outputTail: detail },
  });
  if (!created.ok) return fail(describeRuntimeError(created.error));
  await using handle = created.value;
  const lines: string[] = [];
  const ran = await handle.run((_stream, line) => {
    lines.push(line);
    if (lines.length > 40) lines.shift();
  }, s.signal);
  if (!ran.ok) return fail(describeRuntimeError(ran.error));
  if (ran.value.exitCode !== 0 || ran.value.timedOut) return fail(lines.join('\n'), ran.value.exitCode);
  return ok(undefined);
}
