// downloadToFile's verification and clean-up, over an in-memory transport: what is under test is
// what happens to the bytes (hashing, size cut-off, removal of a bad file), not HTTP itself; the
// real mirror is exercised in test/integration/archive.test.ts.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { downloadToFile, type FetchLike } from '../../src/archive/http.js';

const body = Buffer.from('Package: zlib\nVersion: 1:1.2.13.dfsg-1\n');
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function serve(status: number, chunks: readonly Buffer[], stallAfter?: number): FetchLike {
  return (_url, init) => Promise.resolve({
    status,
    body: new ReadableStream<Uint8Array>({
      start(controller) {
        chunks.slice(0, stallAfter).forEach((c) => { controller.enqueue(new Uint8Array(c)); });
        if (stallAfter === undefined) controller.close();
        init.signal.addEventListener('abort', () => { controller.error(new Error('aborted')); });
      },
    }),
  });
}

async function gone(path: string): Promise<boolean> {
  return stat(path).then(() => false, () => true);
}

describe('downloadToFile', () => {
  let dir = '';
  let dest = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stubforge-http-test-'));
    dest = join(dir, 'file.part');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const url = 'http://mirror.invalid/debian/pool/main/z/zlib/zlib_1.2.13.dfsg-1.dsc';

  it('writes a file whose size and SHA-256 match', async () => {
    const result = await downloadToFile(url, dest, {
      fetch: serve(200, [body.subarray(0, 10), body.subarray(10)]), timeoutMs: 1000,
      expected: { size: body.length, sha256: sha(body) },
    });
    expect(result).toEqual({ ok: true, value: { size: body.length, sha256: sha(body) } });
    expect(await readFile(dest)).toEqual(body);
  });

  it('removes a file whose hash does not match and says what was expected', async () => {
    const flipped = Buffer.from(body);
    flipped[5] = (flipped[5] ?? 0) ^ 1;
    const result = await downloadToFile(url, dest, {
      fetch: serve(200, [flipped]), timeoutMs: 1000, expected: { size: body.length, sha256: sha(body) },
    });
    expect(result).toEqual({
      ok: false,
      error: {
        reason: 'checksum-mismatch', file: 'zlib_1.2.13.dfsg-1.dsc', url,
        expected: { size: body.length, sha256: sha(body) }, actual: { size: body.length, sha256: sha(flipped) },
      },
    });
    expect(await gone(dest)).toBe(true);
  });

  it('stops reading as soon as the body is longer than expected', async () => {
    const result = await downloadToFile(url, dest, {
      fetch: serve(200, [body, body, body]), timeoutMs: 1000, expected: { size: body.length, sha256: sha(body) },
    });
    expect(result).toMatchObject({ ok: false, error: { reason: 'checksum-mismatch', actual: { size: body.length * 2 } } });
    expect(await gone(dest)).toBe(true);
  });

  it.each([
    [404, 'missing-file'],
    [410, 'missing-file'],
    [503, 'unreachable'],
  ])('maps HTTP %i to %s', async (status, reason) => {
    const result = await downloadToFile(url, dest, { fetch: serve(status, []), timeoutMs: 1000 });
    expect(result).toMatchObject({ ok: false, error: { reason, url } });
    expect(await gone(dest)).toBe(true);
  });

  it('gives up on a transfer that stops sending, and keeps nothing', async () => {
    const result = await downloadToFile(url, dest, { fetch: serve(200, [body], 1), timeoutMs: 50 });
    expect(result).toEqual({ ok: false, error: { reason: 'unreachable', url, detail: 'no data for 50 ms' } });
    expect(await gone(dest)).toBe(true);
  });

  it('reports a transport failure as unreachable', async () => {
    const fetch: FetchLike = () => Promise.reject(new TypeError('fetch failed', { cause: new Error('ECONNREFUSED') }));
    const result = await downloadToFile(url, dest, { fetch, timeoutMs: 1000 });
    expect(result).toEqual({ ok: false, error: { reason: 'unreachable', url, detail: 'fetch failed: ECONNREFUSED' } });
  });
});
