// rumprun-amd64: `rumprun-bake [-c conffile] CONFIG OUTPUT INPUT...` from the tree's bin/, run in
// the build container with the tree mounted at its as-built path (docs/rumprun.md). The inputs are the
// programs the rumprun compiler linked (relocatable objects marked executable); the output is a
// static ELF kernel — multiboot for hw, a PV kernel for xen — stripped as dh_strip strips what a
// package ships: rumprun's kernel components carry their debug information (a baked hello world
// is 21.7 MB, 3.5 MB stripped: docs/rumprun.md), which lintian refuses in a package
// (unstripped-binary-or-object). The baked image has no build-id (rumprun-bake's link drops the
// program's), so there is no debug file named by one to keep: the unstripped image stays in the
// bake folder of the build.
import { posix } from 'node:path';
import { err, ok, type Result } from '../../model/result.js';
import { bakeLocation, toolWords, type BakeBackend, type BakeCommand, type BakeError, type BakeRequest, type BakeSpec } from './backend.js';
import { checkBakeConfig, RUMPRUN_BAKE_CONFIGS } from './rumprun-bake-list.js';
import { rumprunTool, rumprunTreeMount, type RumprunTree } from './rumprun-tree.js';

/** rumprun-bake refuses more ("max 8 binaries supported currently"). */
export const MAX_BAKE_PROGRAMS = 8;

/**
 * rumprun-bake prints a notice that its syntax is experimental unless this is set; the value is
 * the one the script tests for.
 */
const QUIET_ENV = { RUMPRUN_WARNING_STFU: 'please' } as const;

function checkPath(path: string, what: string, request: BakeRequest): BakeError | undefined {
  if (!path.startsWith('/') || path.split('/').includes('..')) {
    return { reason: 'invalid-path', path, detail: `${what} must be an absolute path without ..`, location: bakeLocation(request) };
  }
  // rumprun-bake passes its arguments through unquoted shell expansions.
  if (/[\s'"\\$`*?[\]]/.test(path)) {
    return { reason: 'invalid-path', path, detail: `${what}: rumprun-bake splits and globs unquoted words, so no whitespace, quotes or glob characters`, location: bakeLocation(request) };
  }
  return undefined;
}

/** `rumprun-bake list`, to read which configs the tree (and a conffile) offers. */
export function rumprunListCommand(tree: RumprunTree, cwd: string, conffile?: string): BakeCommand {
  return {
    name: 'rumprun-bake-list',
    argv: [rumprunTool(tree, 'rumprun-bake'), ...(conffile === undefined ? [] : ['-c', conffile]), 'list'],
    env: { ...QUIET_ENV },
    cwd,
  };
}

function plan(request: BakeRequest): Result<BakeSpec, BakeError> {
  const location = bakeLocation(request);
  const rumprun = request.rumprun;
  if (rumprun === undefined) return err({ reason: 'missing-rumprun-tree', location });
  const checked = checkBakeConfig(request.config, rumprun.tree.platform, rumprun.listing, location);
  if (!checked.ok) return checked;
  const programs = [request.program, ...(rumprun.extraPrograms ?? [])];
  if (programs.length > MAX_BAKE_PROGRAMS) return err({ reason: 'too-many-programs', count: programs.length, max: MAX_BAKE_PROGRAMS, location });
  const image = posix.join(request.outDir, request.imageName);
  const paths: [string, string][] = [
    ...programs.map((p): [string, string] => [p, 'a program']),
    [request.outDir, 'the output directory'],
    [image, 'the image'],
    ...(rumprun.conffile === undefined ? [] : [[rumprun.conffile, 'the bake config file'] as [string, string]]),
  ];
  for (const [path, what] of paths) {
    const problem = checkPath(path, what, request);
    if (problem !== undefined) return err(problem);
  }
  if (request.imageName === '' || request.imageName.includes('/')) {
    return err({ reason: 'invalid-path', path: request.imageName, detail: 'the image name is a file name', location });
  }
  const baked = `${image}.unstripped`;
  const argv = [
    rumprunTool(rumprun.tree, 'rumprun-bake'),
    ...(rumprun.conffile === undefined ? [] : ['-c', rumprun.conffile]),
    request.config,
    baked,
    ...programs,
  ];
  const strip = [...toolWords(request.tools.STRIP), '--strip-all', '--remove-section=.comment', '-o', image, baked];
  return ok({
    backend: 'rumprun',
    config: request.config,
    commands: [
      { name: 'rumprun-bake', argv, env: { ...QUIET_ENV }, cwd: request.outDir },
      { name: 'strip', argv: strip, env: {}, cwd: request.outDir },
    ],
    mounts: [rumprunTreeMount(rumprun.tree)],
    outputs: { image },
  });
}

export const rumprunBackend: BakeBackend = {
  id: 'rumprun',
  summary: 'rumprun-bake <config> <out> <in>: xen_pv for a stub domain, hw_generic for qemu -kernel',
  configs: RUMPRUN_BAKE_CONFIGS,
  plan,
};
