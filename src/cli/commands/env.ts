// `stubforge env list|create|update|clean`: the build environments (docs/environments.md).
import { createInterface } from 'node:readline/promises';
import { join } from 'node:path';
import { loadArchFile, type ArchLoadError } from '../../arch/arch-loader.js';
import { formatLocation } from '../../model/location.js';
import type { Result } from '../../model/result.js';
import { DockerRuntime } from '../../runtime/docker-runtime.js';
import {
  DEFAULT_ARCH, DEFAULT_SUITE, environmentPackages, environmentRef, type AptSource,
} from '../../runtime/env-spec.js';
import {
  cleanEnvironment, createEnvironment, findPackageRoot, listEnvironments, updateEnvironment, type EnvironmentInfo,
} from '../../runtime/environments.js';
import { reapLeftovers } from '../../runtime/reaper.js';
import type { CliCommand, CliContext } from '../command.js';
import { engineSocketOption } from '../config.js';
import { loadEnvironmentMirror } from '../env-mirror.js';
import { ExitCode } from '../exit-codes.js';
import { describeRuntimeFailure } from '../runtime-messages.js';
import { listenForInterrupt } from '../signals.js';
import { commandArgs } from '../command-args.js';

const USAGE = `usage: stubforge env list [--json]
       stubforge env create [--suite S] [--arch A] [--mirror URL] [--force] [--verbose]
       stubforge env update [--suite S] [--arch A] [NAME]
       stubforge env clean  [--suite S] [--arch A] [--yes] [NAME]
options: --suite (default ${DEFAULT_SUITE}), --arch (default ${DEFAULT_ARCH});
the mirror is read from the machine's apt configuration unless --mirror is given.
`;

interface EnvArgs {
  readonly action: string | undefined;
  readonly name: string | undefined;
  readonly suite: string;
  readonly arch: string;
  readonly mirror: string | undefined;
  readonly yes: boolean;
  readonly force: boolean;
  readonly json: boolean;
  readonly verbose: boolean;
  readonly help: boolean;
}

const ENV_OPTIONS = {
  suite: { type: 'string', default: DEFAULT_SUITE },
  arch: { type: 'string', default: DEFAULT_ARCH },
  mirror: { type: 'string' },
  yes: { type: 'boolean', short: 'y', default: false },
  force: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  verbose: { type: 'boolean', short: 'v', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function describeArchLoad(arch: string, error: ArchLoadError): string {
  switch (error.reason) {
    case 'arch-not-found':
      return `no arch file ${arch} (looked in ${error.searched.join(', ')})`;
    case 'io-error':
      return `${error.file}: ${error.detail}`;
    case 'invalid-arch-file':
      return error.problems.map((p) => `${formatLocation(p.location)}: ${p.message}`).join('\n');
    case 'malformed-control':
      return `${formatLocation(error.location)}: ${error.message}`;
  }
}


function formatSize(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.round(bytes / 1e6)} MB`;
}

function formatList(envs: readonly EnvironmentInfo[]): string {
  const rows = envs.map((e) => [
    `${e.isDefault ? '*' : ' '} ${e.name}`, e.suite, e.arch, e.created.slice(0, 19).replace('T', ' '),
    e.updated.slice(0, 19).replace('T', ' '), formatSize(e.sizeBytes), e.digest.slice(7, 19),
  ]);
  const head = ['  NAME', 'SUITE', 'ARCH', 'CREATED', 'UPDATED', 'SIZE', 'DIGEST'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n').concat('\n');
}

async function confirmOnTerminal(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

type RuntimeFailureCause = Parameters<typeof describeRuntimeFailure>[0];

function runtimeFailed(result: Result<unknown, RuntimeFailureCause>, ctx: CliContext): number {
  if (result.ok) return ExitCode.ok;
  const failure = describeRuntimeFailure(result.error);
  ctx.stderr.write(`stubforge env: ${failure.message}\n`);
  return failure.exitCode;
}

/** `env create`: the arch's environment, from the mirror apt uses unless one is given. */
async function createAction(parsed: EnvArgs, runtime: DockerRuntime, ctx: CliContext, signal: AbortSignal): Promise<number> {
  const fail = (result: Result<unknown, RuntimeFailureCause>): number => runtimeFailed(result, ctx);
  const arch = await loadArchFile(parsed.arch, { dirs: [join(findPackageRoot(), 'arch')] });
  if (!arch.ok) {
    ctx.stderr.write(`stubforge env: ${describeArchLoad(parsed.arch, arch.error)}\n`);
    return ExitCode.usage;
  }
  let mirror = parsed.mirror;
  let extraSources: readonly AptSource[] = [];
  if (mirror === undefined) {
    const found = await loadEnvironmentMirror(parsed.suite);
    if (!found.ok) return fail(found);
    mirror = found.value.mirror;
    extraSources = found.value.extraSources;
  }
  ctx.stderr.write(`preparing ${environmentRef(parsed.suite, parsed.arch)} (an mmdebstrap base per suite, then one layer; about a minute the first time)\n`);
  const created = await createEnvironment(
    { suite: parsed.suite, arch: parsed.arch, packages: environmentPackages(arch.value), mirror, extraSources, origin: arch.value.location },
    runtime, ctx.log,
    { signal, force: parsed.force, ...(parsed.verbose ? { onLine: (l: string) => ctx.stderr.write(`  ${l}\n`) } : {}) },
  );
  if (!created.ok) return fail(created);
  ctx.stdout.write(`${created.value.name} ${created.value.digest}\n`);
  return ExitCode.ok;
}

async function run(args: readonly string[], ctx: CliContext): Promise<number> {
  const read = commandArgs('env', USAGE, { args: [...args], allowPositionals: true, options: ENV_OPTIONS }, ctx);
  if (typeof read === 'number') return read;
  const { values, positionals } = read;
  const parsed: EnvArgs = {
    action: positionals[0], name: positionals[1], suite: values.suite, arch: values.arch, mirror: values.mirror,
    yes: values.yes, force: values.force, json: values.json, verbose: values.verbose, help: values.help,
  };
  const fail = (result: Result<unknown, RuntimeFailureCause>): number => runtimeFailed(result, ctx);
  const runtime = new DockerRuntime(engineSocketOption(ctx.env));
  const ping = await runtime.ping();
  if (!ping.ok) return fail(ping);
  // Containers a crashed run left behind go first (labels record their owner process).
  const reaped = await reapLeftovers(runtime, { log: ctx.log });
  if (!reaped.ok) return fail(reaped);

  const name = parsed.name ?? environmentRef(parsed.suite, parsed.arch);
  const interrupt = listenForInterrupt();
  try {
    switch (parsed.action) {
      case 'list': {
        const listed = await listEnvironments(runtime);
        if (!listed.ok) return fail(listed);
        ctx.stdout.write(parsed.json ? `${JSON.stringify(listed.value, null, 2)}\n` : listed.value.length === 0 ? 'no environments (stubforge env create)\n' : formatList(listed.value));
        return ExitCode.ok;
      }
      case 'create':
        return await createAction(parsed, runtime, ctx, interrupt.signal);
      case 'update': {
        ctx.stderr.write(`updating ${name} (apt-get update && apt-get -y upgrade in a new layer)\n`);
        const updated = await updateEnvironment(name, runtime, ctx.log, { signal: interrupt.signal, ...(parsed.verbose ? { onLine: (l: string) => ctx.stderr.write(`  ${l}\n`) } : {}) });
        if (!updated.ok) return fail(updated);
        ctx.stdout.write(`${updated.value.name} ${updated.value.digest}\n`);
        return ExitCode.ok;
      }
      case 'clean': {
        if (!parsed.yes && !process.stdin.isTTY) {
          ctx.stderr.write(`stubforge env: not removing ${name} without confirmation; pass --yes\n`);
          return ExitCode.usage;
        }
        const cleaned = await cleanEnvironment(name, { yes: parsed.yes, confirm: confirmOnTerminal }, runtime, ctx.log);
        if (!cleaned.ok) return fail(cleaned);
        ctx.stdout.write(cleaned.value.removed ? `removed ${cleaned.value.images.join(', ')}\n` : `kept ${name}\n`);
        return ExitCode.ok;
      }
      default:
        ctx.stderr.write(`${parsed.action === undefined ? '' : `stubforge env: unknown action "${parsed.action}"\n`}${USAGE}`);
        return ExitCode.usage;
    }
  } finally {
    interrupt.dispose();
  }
}

export const command: CliCommand = {
  summary: 'list, create, update or clean the build environments (container images per suite and arch)',
  run,
};
