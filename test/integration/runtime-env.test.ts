// Environments against the real engine and mirror: create (from the shared mmdebstrap base),
// reuse, list, build in, add native tools, update, and clean (refused while a build uses it).
// A test repository (`stubforge-test-env`) keeps a user's own environments out of harm's way; the
// base `stubforge-base:bookworm` is shared with them (it is made once and reused). The engine is
// started by docker/ensure-engine.sh in beforeAll.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnvironmentMirror } from '../../src/cli/env-mirror.js';
import { silentLogger } from '../../src/log/logger.js';
import { runBuildStep } from '../../src/runtime/build-step.js';
import { DockerRuntime } from '../../src/runtime/docker-runtime.js';
import {
  cleanEnvironment, createEnvironment, ensurePackages, installedPackages, listEnvironments, updateEnvironment,
  type EnvironmentInfo,
} from '../../src/runtime/environments.js';
import type { EnvironmentSpec } from '../../src/runtime/env-spec.js';
import { Label } from '../../src/runtime/labels.js';
import { ensureEngine } from './runtime-support.js';

const runtime = new DockerRuntime();
const log = silentLogger();
const REPOSITORY = 'stubforge-test-env';
const NAME = `${REPOSITORY}:bookworm-musl-linux-amd64`;
let spec: EnvironmentSpec;
let env: EnvironmentInfo;
let work: string;

beforeAll(async () => {
  ensureEngine();
  const found = await loadEnvironmentMirror('bookworm');
  if (!found.ok) throw new Error(found.error.reason);
  spec = { suite: 'bookworm', arch: 'musl-linux-amd64', packages: ['musl-tools', 'musl-dev'], mirror: found.value.mirror, extraSources: found.value.extraSources, repository: REPOSITORY };
  work = mkdtempSync(join(tmpdir(), 'stubforge-env-'));
  // A leftover from an interrupted earlier run would make "created" a reuse: start clean.
  await cleanEnvironment(NAME, { yes: true, confirm: () => Promise.resolve(true) }, runtime, log);
});

afterAll(async () => {
  await cleanEnvironment(NAME, { yes: true, confirm: () => Promise.resolve(true) }, runtime, log);
  rmSync(work, { recursive: true, force: true });
});

describe('environments', () => {
  it('creates stubforge-env-style images labelled with suite, arch and packages, and exposes the digest', async () => {
    const created = await createEnvironment(spec, runtime, log);
    if (!created.ok) throw new Error(JSON.stringify(created.error));
    env = created.value;
    expect(env).toMatchObject({ name: NAME, suite: 'bookworm', arch: 'musl-linux-amd64', isDefault: false, packages: ['musl-dev', 'musl-tools'] });
    const image = await runtime.inspectImage(NAME);
    expect(image.ok && image.value?.digest).toBe(env.digest);
    expect(image.ok && image.value?.labels[Label.kind]).toBe('env');
    const base = await runtime.inspectImage('stubforge-base:bookworm');
    expect(base.ok && base.value?.labels[Label.kind]).toBe('base');
  });

  it('answers the same environment again without rebuilding when nothing changed', async () => {
    const t0 = performance.now();
    const again = await createEnvironment(spec, runtime, log);
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(again.ok && again.value.digest).toBe(env.digest);
  });

  it('lists it with its times, size and digest', async () => {
    const listed = await listEnvironments(runtime);
    if (!listed.ok) throw new Error(listed.error.reason);
    const mine = listed.value.find((e) => e.name === NAME);
    expect(mine).toMatchObject({ digest: env.digest, created: env.created, updated: env.created });
    expect(mine?.sizeBytes).toBeGreaterThan(100e6);
  });

  it('has the builder user, apt pointed at the same mirror, and a working static musl toolchain', async () => {
    const installed = await installedPackages(runtime, env.digest, 'test-env');
    expect(installed.ok && installed.value.has('musl-tools')).toBe(true);
    const out = join(work, 'hello');
    const result = await runBuildStep({
      image: env.digest, outputDir: out, timeoutMs: 120_000,
      labels: { run: `test-env-${process.pid}`, package: 'hello', key: 'k' },
      cmd: ['sh', '-c', [
        'id -un > /out/user',
        'cat /etc/apt/sources.list.d/stubforge.sources > /out/sources',
        'printf "int main(void){return 0;}\\n" > a.c && musl-gcc -static -o /out/hello a.c',
      ].join(' && ')],
    }, { runtime, log });
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    expect(readFileSync(join(out, 'user'), 'utf8')).toBe('builder\n');
    expect(readFileSync(join(out, 'sources'), 'utf8')).toContain(`URIs: ${spec.mirror}\nSuites: bookworm\n`);
    // A static ELF has no program interpreter: no PT_INTERP, so no "/lib" path string in it.
    const elf = readFileSync(join(out, 'hello'));
    expect(elf.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(elf.includes(Buffer.from('ld-linux'))).toBe(false);
  });

  it('adds missing native tools in one layer, and answers the same image for the same request', async () => {
    const first = await ensurePackages(env, ['bc', 'musl-tools'], runtime, log);
    if (!first.ok) throw new Error(JSON.stringify(first.error));
    expect(first.value.added).toEqual(['bc']);
    expect(first.value.digest).not.toBe(env.digest);
    const image = await runtime.inspectImage(first.value.ref);
    expect(image.ok && image.value?.labels[Label.parent]).toBe(env.digest);
    const installed = await installedPackages(runtime, first.value.digest, 'test-env');
    expect(installed.ok && installed.value.has('bc')).toBe(true);
    const second = await ensurePackages(env, ['musl-tools', 'bc'], runtime, log);
    expect(second.ok && second.value.digest).toBe(first.value.digest);
    const nothing = await ensurePackages(env, ['musl-dev'], runtime, log);
    expect(nothing.ok && nothing.value).toEqual({ ref: NAME, digest: env.digest, added: [] });
  });

  it('updates in a new layer: new digest, same creation time, later update time', async () => {
    const updated = await updateEnvironment(NAME, runtime, log, { clock: () => new Date(Date.parse(env.created) + 60_000) });
    if (!updated.ok) throw new Error(JSON.stringify(updated.error));
    expect(updated.value.digest).not.toBe(env.digest);
    expect(updated.value.created).toBe(env.created);
    expect(Date.parse(updated.value.updated)).toBeGreaterThan(Date.parse(env.created));
    env = updated.value;
  });

  it('refuses to clean an environment a running build uses, and asks before removing', async () => {
    const busy = await runtime.createStep({
      image: env.digest, cmd: ['sleep', '60'], user: '1000:1000', network: 'none', timeoutMs: 60_000,
      labels: { run: `test-env-busy-${process.pid}`, package: 'busy', key: 'k', kind: 'build' },
    });
    if (!busy.ok) throw new Error(busy.error.reason);
    const controller = new AbortController();
    const running = busy.value.run(() => undefined, controller.signal);
    for (let i = 0; i < 50; i++) {
      const list = await runtime.listContainers({ [Label.run]: `test-env-busy-${process.pid}` }, { runningOnly: true });
      if (list.ok && list.value.length > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const refused = await cleanEnvironment(NAME, { yes: true, confirm: () => Promise.resolve(true) }, runtime, log);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error).toMatchObject({ reason: 'env-in-use', containers: [busy.value.id] });
    controller.abort();
    await running;
    await busy.value.remove();

    const questions: string[] = [];
    const declined = await cleanEnvironment(NAME, { yes: false, confirm: (q) => { questions.push(q); return Promise.resolve(false); } }, runtime, log);
    expect(declined.ok && declined.value.removed).toBe(false);
    expect(questions[0]).toMatch(/^Remove environment stubforge-test-env:bookworm-musl-linux-amd64 /);

    const removed = await cleanEnvironment(NAME, { yes: true, confirm: () => Promise.reject(new Error('must not ask')) }, runtime, log);
    expect(removed.ok && removed.value.removed).toBe(true);
    expect(await runtime.inspectImage(NAME)).toEqual({ ok: true, value: undefined });
    const extras = await runtime.listImages({ [Label.kind]: 'env-extra', [Label.env]: NAME });
    expect(extras.ok && extras.value).toEqual([]);
  });

  it('answers env-not-found for an environment that does not exist', async () => {
    const result = await updateEnvironment(`${REPOSITORY}:no-such-env`, runtime, log);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.reason).toBe('env-not-found');
  });
});
