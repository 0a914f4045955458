// gpgv's verdicts remembered (src/archive/gpgv-verdicts.ts), with the real gpgv over the real
// bookworm InRelease and Debian's keyring: a second check of the same bytes with the same keyrings
// does not start gpgv; other bytes, another keyring, another Signed-By or an hour later do, and a
// bad file is never remembered.
import { readFileSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERDICT_MAX_AGE_MS } from '../../src/archive/gpgv-verdicts.js';
import { runProcess, type ProcessRunner } from '../../src/io/process.js';
import { DEFAULT_KEYRING, verifyClearSigned } from '../../src/archive/signature.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/archive/${name}`, import.meta.url));
const inRelease = fixture('InRelease-bookworm');

describe('verifyClearSigned with remembered verdicts', () => {
  let dir = '';
  let store = { dir: '' };
  const calls: string[][] = [];
  const counting: ProcessRunner = (command, args, options) => {
    calls.push([command, ...args]);
    return runProcess(command, args, options);
  };
  const verify = (data: Buffer, extra: { keyrings?: string[]; signedBy?: { kind: 'fingerprints'; fingerprints: string[] } } = {}) =>
    verifyClearSigned(data, { runProcess: counting, tmpDir: dir, verdicts: store, ...extra });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stubforge-verdicts-'));
    store = { dir: join(dir, 'verdicts') };
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs gpgv the first time and not the second, with the same answer', async () => {
    const first = await verify(inRelease);
    expect(first.ok).toBe(true);
    expect(calls).toHaveLength(1);
    const second = await verify(inRelease);
    expect(second).toEqual(first);
    expect(calls).toHaveLength(1);
  });

  it('asks gpgv again for other keyring bytes, even under the same content', async () => {
    const copy = join(dir, 'copy-of-debian-archive-keyring.gpg');
    await copyFile(DEFAULT_KEYRING, copy);
    calls.length = 0;
    expect((await verify(inRelease, { keyrings: [copy] })).ok).toBe(true);
    // Same bytes under another name: the verdict is keyed by content, not path.
    expect(calls).toHaveLength(0);
    expect((await verify(inRelease, { keyrings: [copy, join(import.meta.dirname, '../fixtures/archive/key-bookworm-automatic.gpg')] })).ok).toBe(true);
    expect(calls).toHaveLength(1);
  });

  it('asks gpgv again under a Signed-By fingerprint list, and keeps its refusal out of the store', async () => {
    calls.length = 0;
    const refused = await verify(inRelease, { signedBy: { kind: 'fingerprints', fingerprints: ['0000000000000000000000000000000000000000'] } });
    expect(refused.ok).toBe(false);
    expect(calls).toHaveLength(1);
    await verify(inRelease, { signedBy: { kind: 'fingerprints', fingerprints: ['0000000000000000000000000000000000000000'] } });
    expect(calls).toHaveLength(2);
  });

  it('never remembers a tampered file: gpgv refuses it each time', async () => {
    const text = inRelease.toString('utf8');
    const tampered = Buffer.from(text.replace('Codename: bookworm', 'Codename: bookwork'));
    calls.length = 0;
    for (let i = 0; i < 2; i++) {
      const result = await verify(tampered);
      expect(result.ok).toBe(false);
    }
    expect(calls).toHaveLength(2);
  });

  it('asks gpgv again once a verdict is an hour old, and removes verdicts past their hour', async () => {
    const names = await readdir(store.dir);
    const old = new Date(Date.now() - VERDICT_MAX_AGE_MS - 60_000);
    for (const name of names) await utimes(join(store.dir, name), old, old);
    calls.length = 0;
    expect((await verify(inRelease)).ok).toBe(true);
    expect(calls).toHaveLength(1);
    // The fresh verdict was written over the old one of the same key; the others have gone.
    expect(await readdir(store.dir)).toHaveLength(1);
  });
});
