// `stubforge env` as a user runs it, through the command object with its own streams, against the
// real engine (started by docker/ensure-engine.sh in beforeAll), plus the engine script itself.
import { execFileSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { command } from '../../src/cli/commands/env.js';
import type { CliContext } from '../../src/cli/command.js';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { silentLogger } from '../../src/log/logger.js';
import { ensureEngine } from './runtime-support.js';

async function env(args: string[], vars: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => { out += c.toString(); });
  stderr.on('data', (c: Buffer) => { err += c.toString(); });
  const ctx: CliContext = { env: vars, cwd: process.cwd(), stdout, stderr, isTTY: false, log: silentLogger() };
  const code = await command.run(args, ctx);
  return { code, out, err };
}

beforeAll(() => {
  ensureEngine();
});

describe('docker/ensure-engine.sh', () => {
  it('is idempotent: with the engine up it says so and changes nothing', () => {
    const root = new URL('../../', import.meta.url).pathname;
    const out = execFileSync('bash', [`${root}docker/ensure-engine.sh`], { env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    expect(out).toMatch(/^ensure-docker: engine already answering on \/var\/run\/docker\.sock \(server \S+\)$/m);
  });
});

describe('stubforge env', () => {
  it('lists environments as JSON with name, digest and default flag', async () => {
    const { code, out } = await env(['list', '--json']);
    expect(code).toBe(ExitCode.ok);
    const list = JSON.parse(out) as { name: string; digest: string; isDefault: boolean }[];
    for (const e of list) expect(e.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('will not remove an environment without --yes when nobody can be asked', async () => {
    const { code, err } = await env(['clean', '--suite', 'bookworm']);
    expect(code).toBe(ExitCode.usage);
    expect(err).toMatch(/pass --yes/);
  });

  it('exits with the runtime code and names the socket when the engine is not there', async () => {
    const t0 = performance.now();
    const { code, err } = await env(['list'], { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(code).toBe(ExitCode.runtime);
    expect(err).toMatch(/does not answer on \/nonexistent\/docker\.sock/);
  });

  it('names the arch file it could not find', async () => {
    const { code, err } = await env(['create', '--arch', 'no-such-arch']);
    expect(code).toBe(ExitCode.usage);
    expect(err).toMatch(/no arch file no-such-arch/);
  });

  it('shows its usage for an unknown action', async () => {
    const { code, err } = await env(['frobnicate']);
    expect(code).toBe(ExitCode.usage);
    expect(err).toMatch(/unknown action "frobnicate"\nusage: stubforge env list/);
  });
});
