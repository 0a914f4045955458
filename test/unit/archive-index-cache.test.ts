import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeIndex, encodeIndex, type IndexPayload } from '../../src/archive/index-codec.js';
import {
  keyDir, latestCachedKey, newestCachedRelease, readCachedIndex, writeCachedIndices,
} from '../../src/archive/index-cache.js';
import { parsePackagesIndex, parseSourcesIndex } from '../../src/archive/index-records.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/archive/${name}`, import.meta.url), 'utf8');
const label = { file: 'f', suite: 'bookworm', component: 'main' };

function realPayload(): IndexPayload {
  const sources = parseSourcesIndex(fixture('Sources-excerpt'), label);
  const binaries = parsePackagesIndex(fixture('Packages-excerpt'), label);
  if (!sources.ok || !binaries.ok) throw new Error('fixtures do not parse');
  return {
    suite: 'bookworm', component: 'main', sources: sources.value.records, binaries: binaries.value.records,
    diagnostics: [{ reason: 'missing-field', field: 'Version', message: 'm', location: { file: 'f', line: 3 } }],
    notes: ['main/source/Sources is not listed'],
  };
}

describe('index codec', () => {
  it('gives back exactly the records it was given (real Sources and Packages paragraphs)', () => {
    const payload = realPayload();
    expect(decodeIndex(encodeIndex(payload))).toEqual({ ok: true, value: payload });
  });

  it('round-trips an empty index (a suite whose InRelease lists no Sources)', () => {
    const payload = { ...realPayload(), sources: [], binaries: [] };
    expect(decodeIndex(encodeIndex(payload))).toEqual({ ok: true, value: payload });
  });

  it.each([
    ['a NUL (falls back to JSON)', 'a\0b', 'json'],
    ['another control character', '\x01', 'compact'],
  ])('round-trips a value holding %s', (_what, value, encoding) => {
    const payload = realPayload();
    const first = payload.binaries[0];
    if (first === undefined) throw new Error('no binaries');
    const odd = { ...payload, binaries: [{ ...first, depends: value }, ...payload.binaries.slice(1)] };
    const encoded = encodeIndex(odd);
    expect(encoded.toString('utf8', 0, encoded.indexOf(10))).toContain(`"encoding":"${encoding}"`);
    expect(decodeIndex(encoded)).toEqual({ ok: true, value: odd });
  });

  it('reads non-ASCII values back as UTF-8', () => {
    const payload = realPayload();
    const first = payload.binaries[0];
    if (first === undefined) throw new Error('no binaries');
    const odd = { ...payload, binaries: [{ ...first, provides: 'caf\u00e9' }] };
    expect(decodeIndex(encodeIndex(odd))).toEqual({ ok: true, value: odd });
  });

  it.each([
    ['a truncated file', (b: Buffer) => b.subarray(0, b.length - 200), /wrong length/],
    ['an older format version', (b: Buffer) => Buffer.from(b.toString('latin1').replace('"version":3', '"version":2'), 'latin1'), /expected stubforge-index v3/],
    ['no header', () => Buffer.from('garbage'), /no header/],
    ['a number section that points past the dictionary', (b: Buffer) => {
      const copy = Buffer.from(b);
      copy.writeDoubleLE(1e6, copy.length - 8 * 3);
      return copy;
    }, /bad dictionary index|bad number|too few strings|trailing/],
  ])('refuses %s', (_what, damage, message) => {
    const decoded = decodeIndex(damage(encodeIndex(realPayload())));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error).toMatch(message);
  });
});

describe('index cache on disk', () => {
  let dir = '';
  const key = { suite: 'bookworm', release: 'a'.repeat(64) };
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stubforge-cache-test-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stores parsed indices and the InRelease under the InRelease hash, leaving no temp files', async () => {
    await writeCachedIndices(dir, key, Buffer.from('InRelease bytes'), [{ arch: 'amd64', payload: realPayload() }]);
    expect((await readdir(keyDir(dir, key))).sort()).toEqual(['InRelease', 'main-amd64.idx']);
    const read = await readCachedIndex(dir, key, 'main', 'amd64');
    expect(read).toEqual({ hit: true, payload: realPayload() });
  });

  it('misses, with a reason, for an unknown key or a damaged file', async () => {
    expect(await readCachedIndex(dir, key, 'main', 'amd64')).toEqual({ hit: false, why: 'not cached' });
    await writeCachedIndices(dir, key, Buffer.from('x'), [{ arch: 'amd64', payload: realPayload() }]);
    await writeFile(join(keyDir(dir, key), 'main-amd64.idx'), 'damaged');
    expect(await readCachedIndex(dir, key, 'main', 'amd64')).toMatchObject({ hit: false, why: expect.stringMatching(/no header/) });
  });

  it('offline mode picks the InRelease with the newest Date, not the newest file', async () => {
    const older = { suite: 'bookworm', release: 'b'.repeat(64) };
    await writeCachedIndices(dir, key, Buffer.from('Date: Sat, 11 Jul 2026 10:16:37 UTC\n'), [{ arch: 'amd64', payload: realPayload() }]);
    await writeCachedIndices(dir, older, Buffer.from('Date: Sat, 10 Jan 2026 10:16:37 UTC\n'), [{ arch: 'amd64', payload: realPayload() }]);
    // Written later (by mtime), though older by Date: e.g. a cache restored from a backup.
    await utimes(join(keyDir(dir, key), 'InRelease'), 1_700_000_000, 1_700_000_000);
    await utimes(join(keyDir(dir, older), 'InRelease'), 1_700_000_100, 1_700_000_100);
    const newest = await newestCachedRelease(dir, 'bookworm');
    expect(newest?.key).toEqual(key);
    expect(newest?.raw.toString()).toContain('Jul 2026');
    // ...while the speculative warm load goes for the most recently written one.
    expect(await latestCachedKey(dir, 'bookworm')).toEqual(older);
  });

  it('keeps the current key and one older one per suite', async () => {
    const keys = ['1', '2', '3'].map((c) => ({ suite: 'bookworm', release: c.repeat(64) }));
    let t = 1_700_000_000;
    for (const k of keys) {
      await writeCachedIndices(dir, k, Buffer.from(`Date: ${k.release}`), [{ arch: 'amd64', payload: realPayload() }]);
      await utimes(join(keyDir(dir, k), 'InRelease'), t, t);
      t += 100;
    }
    const left = (await readdir(join(dir, 'indices', 'bookworm'))).sort();
    expect(left).toEqual([keys[1]?.release, keys[2]?.release]);
    expect(await readFile(join(keyDir(dir, keys[2] ?? key), 'InRelease'), 'utf8')).toBe(`Date: ${'3'.repeat(64)}`);
  });

  it('refuses a suite name that is not a plain path component', () => {
    expect(() => keyDir(dir, { suite: '../etc', release: key.release })).toThrow(/unsafe suite name/);
  });
});
