// The coordinator's store for Swarm tasks: inputs are served only by the sha256 they were offered
// under, and an upload is acknowledged (and kept) only when its length and sha256 match what the
// task claimed, under a token that was handed out and not used yet.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepServiceSpec } from '../../src/runtime/swarm-service.js';
import { ArtefactStore } from '../../src/runtime/swarm-store.js';
import { TRANSFER_DIR, shellQuote, taskCommand } from '../../src/runtime/swarm-task-script.js';

let store: ArtefactStore;
let work: string;

function call(method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: store.socketPath, method, path, headers: body === undefined ? headers : { ...headers, 'content-length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }); });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'stubforge-swarm-store-'));
  store = await ArtefactStore.start(work);
});

afterAll(async () => {
  await store.close();
  rmSync(work, { recursive: true, force: true });
});

describe('ArtefactStore', () => {
  it('serves an offered folder as a tarball under its sha256, and nothing else', async () => {
    const folder = join(work, 'in');
    mkdirSync(folder);
    writeFileSync(join(folder, 'a'), 'alpha\n');
    const key = await store.offerFolder(folder);
    const got = await call('GET', `/blob/${key}`);
    expect(got.status).toBe(200);
    expect(sha(got.body)).toBe(key);
    expect((await call('GET', `/blob/${'0'.repeat(64)}`)).status).toBe(404);
    expect((await call('GET', '/blob/../../etc/passwd')).status).toBe(400);
  });

  it('acknowledges an upload with the sha256 it computed and keeps it for the coordinator', async () => {
    const token = store.expectUpload();
    const body = Buffer.from('output bytes');
    const put = await call('PUT', `/upload/${token}`, body, { 'x-content-sha256': sha(body) });
    expect(put.status).toBe(200);
    expect(put.body.toString()).toBe(`stored ${sha(body)}\n`);
    expect(store.takeUpload(token)).toMatchObject({ sha256: sha(body), bytes: body.length });
    // The token is spent: a second upload under it is refused.
    expect((await call('PUT', `/upload/${token}`, body, { 'x-content-sha256': sha(body) })).status).toBe(400);
  });

  it('refuses an upload whose bytes do not match the claimed sha256, and keeps nothing', async () => {
    const token = store.expectUpload();
    const put = await call('PUT', `/upload/${token}`, Buffer.from('tampered'), { 'x-content-sha256': sha(Buffer.from('original')) });
    expect(put.status).toBe(422);
    expect(store.takeUpload(token)).toBeUndefined();
  });

  it('takes the bytes again under the same token after a damaged upload (the task retries), then no more', async () => {
    const token = store.expectUpload();
    const original = Buffer.from('the step output');
    const damaged = Buffer.from('the step 0utput');
    expect((await call('PUT', `/upload/${token}`, damaged, { 'x-content-sha256': sha(original) })).status).toBe(422);
    const again = await call('PUT', `/upload/${token}`, original, { 'x-content-sha256': sha(original) });
    expect(again.status).toBe(200);
    expect((await call('PUT', `/upload/${token}`, original, { 'x-content-sha256': sha(original) })).status).toBe(422);
    expect(store.takeUpload(token)).toMatchObject({ sha256: sha(original), bytes: original.length });
  });

  it('refuses an upload under a token it never handed out', async () => {
    const body = Buffer.from('x');
    expect((await call('PUT', `/upload/${'a'.repeat(32)}`, body, { 'x-content-sha256': sha(body) })).status).toBe(400);
  });
});

describe('the service of a step', () => {
  const spec = {
    image: 'sha256:' + 'f'.repeat(64), cmd: ['make', "it's"], user: '1000:1000', network: 'none' as const, timeoutMs: 1000,
    memoryBytes: 1024 ** 3, pidsLimit: 99, labels: { run: 'r', package: 'p', key: 'k', kind: 'build' as const },
    mounts: [{ source: '/host/src', target: '/src', readOnly: true }, { source: '/host/out', target: '/out', readOnly: false }],
  };
  const made = stepServiceSpec({
    name: 'stubforge-step-x', spec, labels: { 'org.stubforge.run': 'r' }, buildNetwork: 'net', cpus: 2,
    transfer: { storeHost: 'store', inputs: [{ sha256: 'a'.repeat(64), target: '/src' }], output: { target: '/out', token: 'b'.repeat(32) } },
  }) as { Mode: unknown; EndpointSpec: unknown; TaskTemplate: { Resources: { Limits: Record<string, number>; Reservations?: Record<string, number> }; Networks: unknown; ContainerSpec: { Mounts: { Target: string; Type: string }[]; Command: string[] } } };

  it('is a replicated job of one completion on the build network, dnsrr, limited and reserving nothing (stubforge places it)', () => {
    expect(made.Mode).toEqual({ ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } });
    expect(made.EndpointSpec).toEqual({ Mode: 'dnsrr' });
    expect(made.TaskTemplate.Networks).toEqual([{ Target: 'net' }]);
    const { Limits, Reservations } = made.TaskTemplate.Resources;
    expect(Limits).toEqual({ NanoCPUs: 2e9, MemoryBytes: 1024 ** 3, Pids: 99 });
    expect(Reservations).toBeUndefined();
  });

  it('binds no host folder: every mount is a scratch volume the task fills', () => {
    expect(made.TaskTemplate.ContainerSpec.Mounts.map((m) => [m.Type, m.Target])).toEqual([['volume', '/src'], ['volume', '/out'], ['volume', TRANSFER_DIR]]);
  });

  it('passes the command on as arguments, never into the script text', () => {
    const argv = taskCommand(spec.cmd, { storeHost: 'store', inputs: [] });
    expect(argv.slice(-3)).toEqual(['stubforge-swarm', 'make', "it's"]);
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});
