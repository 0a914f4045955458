// `stubforge cluster`: what a user needs for builds on a Docker Swarm (docs/distributed.md):
// make this engine a manager, join another engine to it, start the registry build images travel
// through, and show the nodes with how many build steps each fits.
import { describeError } from '../../io/describe-error.js';
import { parseArgs } from 'node:util';
import { clusterConcurrency, nodeCapacities } from '../../cluster/capacity.js';
import { DEFAULT_REGISTRY_ADDRESS, registryAnswers, startRegistry } from '../../cluster/registry.js';
import { DEFAULT_STEP_MEMORY_BYTES } from '../../runtime/build-step.js';
import { initSwarm, joinSwarm, joinTokens, swarmMembership } from '../../runtime/swarm-cluster.js';
import { SwarmRuntime } from '../../runtime/swarm-runtime.js';
import { DEFAULT_STEP_CPUS } from '../../runtime/swarm-service.js';
import type { CliCommand, CliContext } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { engineSocketOption, resolvePaths } from '../config.js';

const USAGE = 'usage: stubforge cluster <init|join|status|registry> [options]\n' +
  '  init --advertise-addr A          make this engine the first manager, reachable on address A\n' +
  '  join --manager A:2377 --token T --advertise-addr B   join this engine to a Swarm\n' +
  '  status                           nodes, the build steps each fits, the registry\n' +
  `  registry [--address A]           start the registry build images go through (default ${DEFAULT_REGISTRY_ADDRESS})\n`;

function socketOf(ctx: CliContext): string {
  return engineSocketOption(ctx.env).socketPath ?? '/var/run/docker.sock';
}

function say(ctx: CliContext, text: string): void {
  ctx.stdout.write(`${text}\n`);
}

async function status(ctx: CliContext, registry: string): Promise<number> {
  const socket = socketOf(ctx);
  const membership = await swarmMembership(socket);
  say(ctx, `swarm: ${membership.state}${membership.manager ? ' (this engine is a manager)' : ''}${membership.address === '' ? '' : ` at ${membership.address}`}`);
  if (membership.manager) {
    const runtime = new SwarmRuntime({ socketPath: socket });
    const nodes = await runtime.nodes();
    if (!nodes.ok) {
      ctx.stderr.write(`stubforge cluster: listing nodes failed: ${nodes.error.reason}\n`);
      return ExitCode.failed;
    }
    const step = { cpus: DEFAULT_STEP_CPUS, memoryBytes: DEFAULT_STEP_MEMORY_BYTES };
    for (const { node, steps } of nodeCapacities(nodes.value, step)) {
      say(ctx, `node ${node.hostname} ${node.role} ${node.state}/${node.availability} ${node.address} cpus=${String(node.nanoCpus / 1e9)} memory=${(node.memoryBytes / 1024 ** 3).toFixed(1)}GiB steps=${String(steps)}`);
    }
    say(ctx, `concurrency: ${String(clusterConcurrency(nodes.value, step))} step(s) at ${String(step.cpus)} CPU and ${String(step.memoryBytes / 1024 ** 3)} GiB each`);
    const tokens = await joinTokens(socket);
    say(ctx, `worker join token: ${tokens.worker}`);
  }
  say(ctx, `registry ${registry}: ${await registryAnswers(registry) ? 'answering' : 'not answering (stubforge cluster registry)'}`);
  return ExitCode.ok;
}

async function run(argv: readonly string[], ctx: CliContext): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv], allowPositionals: true,
      options: { 'advertise-addr': { type: 'string' }, manager: { type: 'string' }, token: { type: 'string' }, address: { type: 'string' }, help: { type: 'boolean' } },
    });
  } catch (error) {
    ctx.stderr.write(`${describeError(error)}\n${USAGE}`);
    return ExitCode.usage;
  }
  const { values, positionals } = parsed;
  const [verb, ...extra] = positionals;
  if (values.help === true) {
    ctx.stdout.write(USAGE);
    return ExitCode.ok;
  }
  if (verb === undefined || extra.length > 0) {
    ctx.stderr.write(USAGE);
    return ExitCode.usage;
  }
  const registry = values.address ?? ctx.env.STUBFORGE_REGISTRY ?? DEFAULT_REGISTRY_ADDRESS;
  try {
    switch (verb) {
      case 'init': {
        const advertise = values['advertise-addr'];
        if (advertise === undefined) {
          ctx.stderr.write(`cluster init: --advertise-addr is needed (the address other nodes reach this one on)\n${USAGE}`);
          return ExitCode.usage;
        }
        await initSwarm(socketOf(ctx), advertise);
        say(ctx, `swarm initialised; this engine is a manager on ${advertise}:2377`);
        return await status(ctx, registry);
      }
      case 'join': {
        const { manager, token } = values;
        const advertise = values['advertise-addr'];
        if (manager === undefined || token === undefined || advertise === undefined) {
          ctx.stderr.write(`cluster join: --manager, --token and --advertise-addr are needed\n${USAGE}`);
          return ExitCode.usage;
        }
        await joinSwarm(socketOf(ctx), manager, token, advertise);
        say(ctx, `joined the swarm of ${manager}`);
        return ExitCode.ok;
      }
      case 'status':
        return await status(ctx, registry);
      case 'registry': {
        const started = await startRegistry(resolvePaths(ctx.env, ctx.cwd).stateDir, registry);
        say(ctx, started.alreadyRunning ? `registry already answering on ${registry}` : `registry started on ${registry} (pid ${String(started.pid)}, log ${started.logFile})`);
        return ExitCode.ok;
      }
      default:
        ctx.stderr.write(`cluster: unknown verb ${verb}\n${USAGE}`);
        return ExitCode.usage;
    }
  } catch (error) {
    const f = error as { json?: { message?: string } | null; message?: string };
    ctx.stderr.write(`stubforge cluster ${verb}: ${f.json?.message ?? f.message ?? String(error)}\n`);
    return ExitCode.failed;
  }
}

export const command: CliCommand = { summary: 'set up and show a Docker Swarm cluster for distributed builds', run };
