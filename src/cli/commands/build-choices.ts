// What `build` and `plan` share beyond the solver's options: the user's explicit build choices
// (`--allow-orig-only SRC`, part of the cache keys), the suite of the build environment, and the
// cache status of each plan node when the environment exists.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { DEFAULT_SUITES } from '../../archive/suites.js';
import { readEntry } from '../../cache/apt-repo-index.js';
import type { PartialArch } from '../../arch/arch-file.js';
import { statedComponents } from '../../bake/backends/rumprun-tree-io.js';
import type { RumprunComponents } from '../../bake/backends/rumprun-components.js';
import { findNodeImages } from '../../executor/builders/build-image.js';
import { builderCode } from '../../executor/builders/builder-code.js';
import { nodeKeys, type BuildChoices, type BuilderIdentity } from '../../executor/scheduler/node-keys.js';
import { digestToolchainTree } from '../../executor/builders/toolchain-tree-io.js';
import type { CacheKey } from '../../model/brand.js';
import { err, ok, type Result } from '../../model/result.js';
import { nodeImagePackages } from '../../plan/node-image.js';
import type { BuildPlan } from '../../plan/plan.js';
import { EngineLookup } from '../../runtime/engine-lookup.js';
import { environmentRef } from '../../runtime/env-spec.js';
import type { Failure } from '../archive-messages.js';
import type { CliContext } from '../command.js';
import { engineSocketOption, resolvePaths } from '../config.js';
import { ExitCode } from '../exit-codes.js';

export const BUILD_CHOICE_OPTIONS = {
  'allow-orig-only': { type: 'string', multiple: true },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export const BUILD_CHOICE_USAGE =
  '  --allow-orig-only SRC  build source SRC from its verified orig tarball alone, without Debian\'s\n' +
  '                     changes (for a mirror that lacks the diff); recorded in the packages and the key\n';

export function buildChoices(names: readonly string[] | undefined, plan: BuildPlan): Result<BuildChoices, Failure> {
  const sources = new Set(plan.nodes.map((n) => n.source));
  for (const name of names ?? []) {
    if (!sources.has(name)) {
      return err({ message: `--allow-orig-only ${name}: ${name} is not a source of this plan (${[...sources].join(', ')})`, exitCode: ExitCode.usage });
    }
  }
  return ok({ origOnly: new Set(names ?? []) });
}

/** The suite of the build environment: the first suite read, without its -updates/-security part. */
export function environmentSuite(suites: readonly string[] | undefined): string {
  const first = (suites ?? DEFAULT_SUITES)[0] ?? 'bookworm';
  return first.replace(/-(updates|security|backports|proposed-updates)$/, '');
}

/** The builder of a run as its keys name it, and the toolchain tree it was read from. */
export interface Builder {
  readonly identity: BuilderIdentity;
  readonly tree?: { readonly root: string; readonly files: number; readonly hashed: number };
  /** What the user stated of the tree's own components (`<variable>_COMPONENTS`, else the file beside the tree). */
  readonly components?: RumprunComponents;
}

/**
 * The builder identity of `arch` on this machine: stubforge's build code, and for an arch whose
 * toolchain the user supplies (`Toolchain: user-tree`) the digest of that tree (its variable must
 * name it). The tree's file hashes are kept in the cache folder, so an unchanged tree is only stat'ed.
 * The components file of the tree is read when there is one (a wrong one is an error); a run that
 * packages an application (`needsComponents`) cannot do without it.
 */
export async function builderIdentity(arch: PartialArch, ctx: CliContext, needsComponents = false): Promise<Result<Builder, Failure>> {
  const code = await builderCode();
  if (arch.toolchain.kind !== 'user-tree') return ok({ identity: { code } });
  const variable = arch.toolchain.variable;
  const value = ctx.env[variable];
  if (value === undefined || value === '') {
    return err({ message: `${arch.name} needs its toolchain tree: set ${variable} to the rumprun install directory (its digest is part of every key)`, exitCode: ExitCode.usage });
  }
  const root = resolve(ctx.cwd, value);
  const digest = await digestToolchainTree(root, join(resolvePaths(ctx.env, ctx.cwd).cacheDir, 'toolchain-trees'));
  if (!digest.ok) {
    return err({ message: `${variable}=${root}: cannot read the toolchain tree at ${digest.error.path}: ${digest.error.detail}`, exitCode: ExitCode.usage });
  }
  const tree = { root, files: digest.value.files, hashed: digest.value.hashed };
  // The tree's own components, stated by the user: an application's package names them (its key too).
  const componentsVariable = `${variable}_COMPONENTS`;
  const file = ctx.env[componentsVariable];
  const stated = await statedComponents(root, arch.toolchain.pathProbe, componentsVariable, file === undefined || file === '' ? undefined : resolve(ctx.cwd, file));
  if (!stated.ok) return err({ message: stated.error, exitCode: ExitCode.usage });
  if (stated.value.kind === 'missing') {
    return needsComponents ? err({ message: stated.value.message, exitCode: ExitCode.usage }) : ok({ identity: { code, toolchainTree: digest.value.digest }, tree });
  }
  const components = stated.value.components;
  return ok({ identity: { code, toolchainTree: digest.value.digest, toolchainComponents: components.digest }, tree, components });
}

export interface CacheStatus {
  /** Each node's build image digest, for the nodes whose image exists. */
  readonly imageDigests: ReadonlyMap<string, string>;
  readonly keys: ReadonlyMap<string, CacheKey>;
  readonly cached: (source: string) => 'yes' | 'no' | 'unknown';
}

/**
 * Each node's cache status, when it can be known without making anything: the engine answers and
 * the environment exists (`undefined` otherwise). A node whose own build image does not exist yet,
 * or that depends on such a node, has no key: its status is `unknown`.
 */
export async function cacheStatus(plan: BuildPlan, ctx: CliContext, choices: BuildChoices, builder: BuilderIdentity, suite: string): Promise<CacheStatus | undefined> {
  const paths = resolvePaths(ctx.env, ctx.cwd);
  // Two questions, no engine client library: a plan only looks (engine-lookup.ts).
  const runtime = new EngineLookup({ timeoutMs: 1000, ...engineSocketOption(ctx.env) });
  const ping = await runtime.ping();
  if (!ping.ok) return undefined;
  const env = await runtime.inspectImage(environmentRef(suite, plan.arch));
  if (!env.ok || env.value === undefined) return undefined;
  const images = await findNodeImages(runtime, environmentRef(suite, plan.arch), nodeImagePackages(plan));
  if (!images.ok) return undefined;
  const imageDigests = new Map([...images.value].map(([source, image]) => [source, image.digest]));
  const keys = nodeKeys(plan, imageDigests, builder, choices);
  const status = new Map<string, 'yes' | 'no' | 'unknown'>();
  // Read only: opening the repository would make its folders and tidy it, which a plan must not do.
  // A key is there when its publish record is (publishing renames the whole key into the pool).
  const repo = existsSync(paths.repoDir);
  await Promise.all([...keys].map(async ([source, key]) => {
    const hit = repo ? await readEntry(paths.repoDir, key) : ok(undefined);
    status.set(source, !hit.ok ? 'unknown' : hit.value === undefined ? 'no' : 'yes');
  }));
  return { imageDigests, keys, cached: (source) => status.get(source) ?? 'unknown' };
}
