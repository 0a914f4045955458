// EngineLookup, the client-library-free questions `plan` asks the engine, against the real Docker
// engine (it must answer exactly as DockerRuntime does) and against unix sockets on this machine
// that are not an engine: nothing listening, a server that never answers, one that answers 500.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerRuntime } from '../../src/runtime/docker-runtime.js';
import { EngineLookup } from '../../src/runtime/engine-lookup.js';
import { ensureEngine, ensureTestImage, TEST_IMAGE } from './runtime-support.js';

describe('EngineLookup on the real engine', () => {
  const runtime = new DockerRuntime();
  const lookup = new EngineLookup();
  let digest = '';
  beforeAll(async () => {
    ensureEngine();
    digest = await ensureTestImage(runtime);
  });

  it('pings with the server version DockerRuntime reports', async () => {
    const [light, full] = await Promise.all([lookup.ping(), runtime.ping()]);
    expect(light).toEqual(full);
  });

  it('inspects an image exactly as DockerRuntime does, by name and by ID', async () => {
    for (const ref of [TEST_IMAGE, digest]) {
      const [light, full] = await Promise.all([lookup.inspectImage(ref), runtime.inspectImage(ref)]);
      expect(light.ok && light.value?.digest).toBe(digest);
      expect(light).toEqual(full);
    }
  });

  it('answers undefined, not an error, for an image that does not exist', async () => {
    expect(await lookup.inspectImage('stubforge-test:no-such-image')).toEqual({ ok: true, value: undefined });
  });
});

describe('EngineLookup where no engine answers', () => {
  let dir = '';
  const servers: Server[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'stubforge-engine-lookup-'));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => { s.closeAllConnections(); s.close(resolve); })));
    rmSync(dir, { recursive: true, force: true });
  });
  async function listen(name: string, handler: Parameters<typeof createServer>[1]): Promise<string> {
    const socketPath = join(dir, name);
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    return socketPath;
  }

  it('says the engine is unavailable when nothing listens on the socket', async () => {
    const socketPath = join(dir, 'nothing.sock');
    const result = await new EngineLookup({ socketPath }).ping();
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toMatchObject({ reason: 'engine-unavailable', socket: socketPath });
      expect(result.error.reason === 'engine-unavailable' && result.error.detail).toMatch(/ENOENT/);
    }
  });

  it('gives up on a socket that accepts and never answers, within its timeout', async () => {
    const socketPath = await listen('silent.sock', () => { /* never answers */ });
    const started = Date.now();
    const result = await new EngineLookup({ socketPath, timeoutMs: 300 }).inspectImage('anything:tag');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result).toMatchObject({ ok: false, error: { reason: 'engine-unavailable', socket: socketPath } });
  });

  it('reports an engine error with its status and message', async () => {
    const socketPath = await listen('broken.sock', (_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'layer store corrupt' }));
    });
    const result = await new EngineLookup({ socketPath }).inspectImage('stubforge-env:bookworm');
    expect(result).toMatchObject({ ok: false, error: { reason: 'engine-error', operation: 'inspect image', statusCode: 500, detail: 'layer store corrupt' } });
  });

  it('refuses an answer that is not an image inspection, naming the socket', async () => {
    const socketPath = await listen('odd.sock', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ Id: 'not-a-digest', Size: 1, Created: '' }));
    });
    const result = await new EngineLookup({ socketPath }).inspectImage('stubforge-env:bookworm');
    expect(result).toMatchObject({ ok: false, error: { reason: 'engine-error', detail: 'unexpected image id "not-a-digest"', location: { file: socketPath } } });
  });
});
