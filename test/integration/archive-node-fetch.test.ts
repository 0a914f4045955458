// The default transport (node-fetch.ts) over real HTTP: a server on 127.0.0.1 for redirects,
// status codes and a stalled body, and the real mirror for an InRelease, which must come byte for
// byte as Node's global fetch brings it.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadToBuffer } from '../../src/archive/http.js';
import { nodeFetch } from '../../src/archive/node-fetch.js';
import { mirror } from './runtime-support.js';

const payload = Buffer.alloc(3 * 1024 * 1024 + 17, 'stubforge ');
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('nodeFetch on a local server', () => {
  let server: Server;
  let base = '';
  const seen: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? '/';
      seen.push(path);
      const loop = /^\/loop\/(\d+)$/.exec(path);
      if (loop !== null) {
        res.writeHead(302, { location: `/loop/${Number(loop[1]) + 1}` }).end();
      } else if (path === '/moved') {
        res.writeHead(301, { location: `${base}/temporary` }).end();
      } else if (path === '/temporary') {
        res.writeHead(307, { location: 'data' }).end();
      } else if (path === '/data') {
        res.writeHead(200, { 'content-length': payload.length }).end(payload);
      } else if (path === '/stall') {
        res.writeHead(200);
        res.write('first bytes, then nothing');
      } else {
        res.writeHead(404).end('not here');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const options = { fetch: nodeFetch, timeoutMs: 2000, maxBytes: 64 * 1024 * 1024 };

  it('follows absolute and relative redirects (301, 307) to the body, whole', async () => {
    seen.length = 0;
    const got = await downloadToBuffer(`${base}/moved`, options);
    expect(got.ok && got.value.sha256).toBe(sha(payload));
    expect(seen).toEqual(['/moved', '/temporary', '/data']);
  });

  it('gives up after 20 redirects, naming the URL', async () => {
    const got = await downloadToBuffer(`${base}/loop/0`, options);
    expect(got).toMatchObject({ ok: false, error: { reason: 'unreachable', url: `${base}/loop/0` } });
    expect(!got.ok && got.error.reason === 'unreachable' && got.error.detail).toMatch(/more than 20 redirects/);
  });

  it('reports a 404 as a missing file', async () => {
    expect(await downloadToBuffer(`${base}/dists/bookworm/InRelease`, options))
      .toEqual({ ok: false, error: { reason: 'missing-file', file: 'InRelease', url: `${base}/dists/bookworm/InRelease` } });
  });

  it('stops a body that stops coming after the inactivity timeout', async () => {
    const got = await downloadToBuffer(`${base}/stall`, { ...options, timeoutMs: 300 });
    expect(got).toEqual({ ok: false, error: { reason: 'unreachable', url: `${base}/stall`, detail: 'no data for 300 ms' } });
  });

  it('cuts a body off past the size allowed', async () => {
    const got = await downloadToBuffer(`${base}/data`, { ...options, maxBytes: 1024 });
    expect(got).toEqual({ ok: false, error: { reason: 'unreachable', url: `${base}/data`, detail: 'more than 1024 bytes' } });
  });

  it('refuses a scheme other than http and https', async () => {
    const got = await downloadToBuffer('ftp://127.0.0.1/InRelease', options);
    expect(!got.ok && got.error.reason === 'unreachable' && got.error.detail).toMatch(/unsupported URL scheme ftp:/);
  });
});

describe('nodeFetch on the real mirror', () => {
  it('brings an InRelease byte for byte as the global fetch does', async () => {
    const url = `${await mirror()}/dists/bookworm/InRelease`;
    const ours = await downloadToBuffer(url, { fetch: nodeFetch, timeoutMs: 60_000, maxBytes: 64 * 1024 * 1024 });
    const theirs = Buffer.from(await (await fetch(url)).arrayBuffer());
    expect(ours.ok && ours.value.sha256).toBe(sha(theirs));
  });
});
