// The runtime options `build`, `batch` and `rebuild` share (--runtime, --registry, --placement):
// checked once and written back as every build a batch or a rebuild runs takes them. The command
// checks here stop before any engine is asked: a wrong option is a usage error of the command
// itself, not a failure of each target.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeStepRuntimeError } from '../../src/cli/commands/build-steps.js';
import { command as batch } from '../../src/cli/commands/batch.js';
import { command as rebuild } from '../../src/cli/commands/rebuild.js';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { runtimeBuildArgs } from '../../src/cluster/step-runtime.js';
import { runCommand } from '../integration/cli-support.js';

const work = mkdtempSync(join(tmpdir(), 'stubforge-runtime-options-'));
const list = join(work, 'targets.list');
writeFileSync(list, 'zlib musl-linux-amd64\n');
const run = { env: { STUBFORGE_HOME: join(work, 'home'), PATH: process.env.PATH }, cwd: work };

afterAll(() => { rmSync(work, { recursive: true, force: true }); });

describe('runtimeBuildArgs', () => {
  it('writes the swarm options back in the order build reads them, each placement on its own', () => {
    expect(runtimeBuildArgs({ runtime: 'swarm', registry: '127.0.0.1:5000', placement: ['node.role==worker', 'node.labels.big==yes'] })).toEqual({
      ok: true, value: ['--runtime', 'swarm', '--registry', '127.0.0.1:5000', '--placement', 'node.role==worker', '--placement', 'node.labels.big==yes'],
    });
    expect(runtimeBuildArgs({ runtime: 'swarm' })).toEqual({ ok: true, value: ['--runtime', 'swarm'] });
  });

  it('passes nothing for the default and says local only when the user did', () => {
    expect(runtimeBuildArgs({})).toEqual({ ok: true, value: [] });
    expect(runtimeBuildArgs({ runtime: 'local' })).toEqual({ ok: true, value: ['--runtime', 'local'] });
  });

  it('refuses an unknown runtime and the swarm-only options without --runtime swarm', () => {
    expect(runtimeBuildArgs({ runtime: 'kubernetes' })).toEqual({ ok: false, error: { reason: 'unknown-runtime', value: 'kubernetes' } });
    expect(runtimeBuildArgs({ registry: '127.0.0.1:5000' })).toEqual({ ok: false, error: { reason: 'swarm-only-option', option: '--registry' } });
    expect(runtimeBuildArgs({ runtime: 'local', placement: ['node.role==worker'] })).toEqual({ ok: false, error: { reason: 'swarm-only-option', option: '--placement' } });
  });

  it('refuses a placement constraint the engine would not understand, before any build', () => {
    const checked = runtimeBuildArgs({ runtime: 'swarm', placement: ['node.role==worker', 'node.rol==worker'] });
    expect(checked).toMatchObject({ ok: false, error: { reason: 'bad-constraint', constraint: 'node.rol==worker' } });
    if (checked.ok) return;
    expect(describeStepRuntimeError(checked.error)).toEqual({ message: expect.stringMatching(/^--placement node\.rol==worker: unknown attribute node\.rol /) as string, exitCode: ExitCode.usage });
  });

  it('maps each error to a message naming the option and to its exit code', () => {
    expect(describeStepRuntimeError({ reason: 'unknown-runtime', value: 'kubernetes' })).toEqual({ message: '--runtime kubernetes: expected local or swarm', exitCode: ExitCode.usage });
    expect(describeStepRuntimeError({ reason: 'swarm-only-option', option: '--registry' }).exitCode).toBe(ExitCode.usage);
    expect(describeStepRuntimeError({ reason: 'swarm-unavailable', detail: 'this engine is not a Swarm manager' })).toEqual({
      message: '--runtime swarm: this engine is not a Swarm manager (stubforge cluster init)', exitCode: ExitCode.failed,
    });
  });
});

describe('batch and rebuild take the runtime options', () => {
  it('lists them in --help', async () => {
    for (const cmd of [batch, rebuild]) {
      const r = await runCommand(cmd, ['--help'], run);
      expect(r.code).toBe(ExitCode.ok);
      expect(r.stdout + r.stderr).toMatch(/--runtime R .*swarm/);
      expect(r.stdout + r.stderr).toContain('--registry A');
      expect(r.stdout + r.stderr).toContain('--placement C');
    }
  });

  it('batch: an unknown runtime or a swarm option without it is a usage error, before any build', async () => {
    const unknown = await runCommand(batch, [list, '--runtime', 'kubernetes'], run);
    expect(unknown.code).toBe(ExitCode.usage);
    expect(unknown.stderr).toContain('--runtime kubernetes: expected local or swarm');
    expect(unknown.stdout).not.toContain('batch of');
    const registry = await runCommand(batch, [list, '--registry', '127.0.0.1:5000'], run);
    expect(registry.code).toBe(ExitCode.usage);
    expect(registry.stderr).toContain('--registry is an option of --runtime swarm');
  });

  it('rebuild: the same checks come before the provenance is read', async () => {
    const unknown = await runCommand(rebuild, ['--updated', 'zlib=1:1.2.13.dfsg-1', '--runtime', 'kubernetes'], run);
    expect(unknown.code).toBe(ExitCode.usage);
    expect(unknown.stderr).toContain('--runtime kubernetes: expected local or swarm');
    const placement = await runCommand(rebuild, ['--updated', 'zlib=1:1.2.13.dfsg-1', '--placement', 'node.role==worker'], run);
    expect(placement.code).toBe(ExitCode.usage);
    expect(placement.stderr).toContain('--placement is an option of --runtime swarm');
  });
});
