// The archive layer against the real mirror named by this machine's apt configuration, with
// gpgv, xz and dpkg-source. Tampering goes through a local proxy (archive-mirror-proxy.ts).
import { mkdtemp, readdir, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAptSources } from '../../src/archive/apt-sources.js';
import { openArchive, type Archive } from '../../src/archive/archive.js';
import { defaultFetch } from '../../src/archive/http.js';
import { runProcess } from '../../src/io/process.js';
import { fetchRelease } from '../../src/archive/release.js';
import { fetchSource } from '../../src/archive/source-fetch.js';
import { resolveSuites, type ConfiguredSuite } from '../../src/archive/suites.js';
import { silentLogger } from '../../src/log/logger.js';
import type { SourceRecord } from '../../src/model/archive.js';
import { mirrorProbe } from '../../src/archive/served.js';
import { flipMiddleByte, startMirrorProxy, type MirrorProxy } from './archive-mirror-proxy.js';
import { escapeRegExp, newestLackingDebianPart, requireServed } from './archive-versions.js';

const logger = silentLogger();
const io = { fetch: defaultFetch, runProcess, timeoutMs: 60_000, logger };
let work = '';
let suites: ConfiguredSuite[] = [];
let mirror = '';
let proxy: MirrorProxy;

const fresh = async (name: string): Promise<string> => mkdtemp(join(work, `${name}-`));
const exists = (path: string): Promise<boolean> => stat(path).then(() => true, () => false);
/** Everything below `dir`, relative, for "nothing was kept" checks. */
async function tree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'stubforge-archive-it-'));
  const apt = await loadAptSources();
  if (!apt.ok) throw new Error(apt.error.message);
  const resolved = resolveSuites(apt.value.entries, {}, apt.value.files);
  if (!resolved.ok) throw new Error(resolved.error.message);
  suites = resolved.value;
  mirror = suites.find((s) => s.suite === 'bookworm')?.mirror ?? '';
  proxy = await startMirrorProxy({ main: mirror });
});

afterAll(async () => {
  await proxy.close();
  await rm(work, { recursive: true, force: true });
});

describe('InRelease', () => {
  it('verifies the InRelease of every configured suite with gpgv and the archive keyring', async () => {
    for (const suite of suites) {
      const release = await fetchRelease(suite, { ...io, clock: () => new Date(), tmpDir: work });
      if (!release.ok) throw new Error(`${suite.suite}: ${JSON.stringify(release.error)}`);
      expect(release.value.signatures.length).toBeGreaterThan(0);
      expect(release.value.release.codename).toBe(suite.suite);
    }
  });

  it('rejects an InRelease with one changed byte in its signed text, and caches nothing', async () => {
    const cacheDir = await fresh('tampered-release');
    proxy.tamper = (path, body) => (path.endsWith('/InRelease') ? Buffer.from(body.toString('latin1').replace('Origin: Debian', 'Origin: Debiam'), 'latin1') : undefined);
    try {
      const opened = await openArchive({ cacheDir, mirror: `${proxy.url}/main`, suites: ['bookworm-updates'], logger });
      expect(opened).toMatchObject({ ok: false, error: { reason: 'bad-signature', url: `${proxy.url}/main/dists/bookworm-updates/InRelease`, detail: expect.stringMatching(/BADSIG/) } });
    } finally {
      proxy.tamper = undefined;
    }
    expect(await exists(join(cacheDir, 'indices'))).toBe(false);
  });

  it('rejects the real InRelease when the keyring holds none of its signers', async () => {
    const opened = await openArchive({
      cacheDir: await fresh('wrong-keyring'), suites: ['bookworm-updates'], logger,
      keyrings: ['/usr/share/keyrings/debian-archive-bullseye-stable.gpg'],
    });
    expect(opened).toMatchObject({ ok: false, error: { reason: 'bad-signature', detail: expect.stringMatching(/no good signature/) } });
  });

  it('reads an armored (.asc) keyring, which gpgv itself cannot', async () => {
    const keyring = fileURLToPath(new URL('../fixtures/archive/key-bookworm-automatic.asc', import.meta.url));
    const opened = await openArchive({ cacheDir: await fresh('asc-keyring'), suites: ['bookworm-updates'], keyrings: [keyring], logger });
    expect(opened.ok).toBe(true);
  });

  it('accepts a Signed-By inline key block written in a deb822 entry', async () => {
    const aptDir = await fresh('apt-inline-key');
    await mkdir(join(aptDir, 'sources.list.d'));
    const armored = await readFile(new URL('../fixtures/archive/key-bookworm-automatic.asc', import.meta.url), 'utf8');
    const signedBy = armored.trim().split('\n').map((l) => ` ${l === '' ? '.' : l}`).join('\n');
    await writeFile(join(aptDir, 'sources.list.d', 'debian.sources'),
      `Types: deb\nURIs: ${mirror}\nSuites: bookworm-updates\nComponents: main\nSigned-By:\n${signedBy}\n`);
    const opened = await openArchive({ cacheDir: await fresh('inline-key'), aptDir, suites: ['bookworm-updates'], logger });
    if (!opened.ok) throw new Error(JSON.stringify(opened.error));
    expect(opened.value.suites[0]?.signedBy?.kind).toBe('inline-key');
  });
});

describe('indices', () => {
  it('rejects a Sources index with one flipped bit before decompressing it, and caches nothing', async () => {
    const cacheDir = await fresh('tampered-index');
    proxy.tamper = (path, body) => (path.includes('/main/source/') ? flipMiddleByte(body) : undefined);
    try {
      const opened = await openArchive({ cacheDir, mirror: `${proxy.url}/main`, suites: ['bookworm-updates'], logger });
      expect(opened).toMatchObject({ ok: false, error: { reason: 'checksum-mismatch', file: expect.stringMatching(/^main\/source\/Sources/) } });
    } finally {
      proxy.tamper = undefined;
    }
    // Only gpgv's verdict on the InRelease, which was good, is kept: no index, no InRelease.
    expect((await tree(cacheDir)).filter((p) => !p.startsWith('gpgv-verdicts'))).toEqual([]);
  });

  it('on a warm run fetches only the InRelease, and offline fetches nothing', async () => {
    const cacheDir = await fresh('warm');
    const options = { cacheDir, mirror: `${proxy.url}/main`, suites: ['bookworm-updates'], logger };
    const cold = await openArchive(options);
    if (!cold.ok) throw new Error(JSON.stringify(cold.error));
    proxy.requests.length = 0;
    const warm = await openArchive(options);
    if (!warm.ok) throw new Error(JSON.stringify(warm.error));
    expect(proxy.requests).toEqual(['/dists/bookworm-updates/InRelease']);
    expect(warm.value.index).toEqual(cold.value.index);
    proxy.requests.length = 0;
    const offline = await openArchive({ ...options, offline: true });
    if (!offline.ok) throw new Error(JSON.stringify(offline.error));
    expect(proxy.requests).toEqual([]);
    expect(offline.value.index.sources).toEqual(cold.value.index.sources);
  });

  it('offline with an empty cache is index-missing, not a download', async () => {
    const opened = await openArchive({ cacheDir: await fresh('offline-empty'), mirror: `${proxy.url}/main`, suites: ['bookworm-updates'], offline: true, logger });
    expect(opened).toMatchObject({ ok: false, error: { reason: 'index-missing', suite: 'bookworm-updates' } });
  });
});

// The sources are not named by version: zlib is the newest version of bookworm the mirror serves
// whole and pixman the newest, checked to lack only its Debian part, both read from the index and
// the mirror now (archive-versions.ts); the expectations follow from their records.
describe('source packages (bookworm main from the configured mirror)', () => {
  let archive: Archive;
  let cacheDir = '';
  let zlib: SourceRecord;

  beforeAll(async () => {
    cacheDir = await fresh('sources');
    const opened = await openArchive({ cacheDir, suites: ['bookworm'], logger });
    if (!opened.ok) throw new Error(JSON.stringify(opened.error));
    archive = opened.value;
    expect(archive.index.sources.length).toBeGreaterThan(30_000);
    expect(archive.diagnostics).toEqual([]);
    zlib = (await requireServed(archive, 'zlib', ['bookworm'], mirrorProbe(archive))).record;
  });

  it('fetches, verifies and unpacks zlib with its Debian patches, and reuses it the second time', async () => {
    const first = await archive.fetchSource(zlib);
    if (!first.ok) throw new Error(JSON.stringify(first.error));
    // An epoch's ":" is written %3a in the folder name.
    const dirName = `zlib_${zlib.version.replace(':', '%3a')}`;
    expect(first.value).toMatchObject({ reused: false, dir: join(cacheDir, 'sources', dirName) });
    expect((await readFile(join(first.value.dir, 'debian', 'changelog'), 'utf8')).split('\n')[0]).toMatch(new RegExp(`^zlib \\(${escapeRegExp(zlib.version)}\\)`));
    expect(await exists(join(first.value.dir, 'zlib.h'))).toBe(true);
    const second = await archive.fetchSource(zlib);
    expect(second).toMatchObject({ ok: true, value: { reused: true, dir: first.value.dir } });
    expect((await readdir(join(cacheDir, 'sources'))).sort()).toEqual([dirName, `${dirName}.json`]);
  });

  it('rejects a tarball with one flipped bit and keeps nothing of the download', async () => {
    const orig = zlib.files.find((f) => f.name.endsWith('.orig.tar.bz2') || /\.orig\.tar\./.test(f.name));
    if (orig === undefined) throw new Error(`no orig tarball in ${JSON.stringify(zlib.files)}`);
    const sourceCache = await fresh('tampered-tarball');
    proxy.tamper = (path, body) => (path.endsWith(`/${orig.name}`) ? flipMiddleByte(body) : undefined);
    try {
      const fetched = await fetchSource(zlib, { ...io, cacheDir: sourceCache, mirror: `${proxy.url}/main` });
      expect(fetched).toMatchObject({
        ok: false,
        error: {
          reason: 'checksum-mismatch', file: orig.name,
          url: `${proxy.url}/main/${zlib.directory}/${orig.name}`,
          expected: { size: orig.size, sha256: orig.sha256 },
        },
      });
    } finally {
      proxy.tamper = undefined;
    }
    expect(await tree(sourceCache)).toEqual(['sources']);
  });

  it("reports the Debian part of pixman's newest version, which the mirror lacks, as missing-file with its URL", async (test) => {
    const lacking = await newestLackingDebianPart(archive, 'pixman', ['bookworm'], mirrorProbe(archive));
    if (!lacking.ok) return test.skip(lacking.skip);
    const [file = ''] = lacking.missing;
    const fetched = await archive.fetchSource(lacking.record);
    expect(fetched).toEqual({
      ok: false,
      error: { reason: 'missing-file', file, url: `${mirror}/${lacking.record.directory}/${file}` },
    });
    expect((await readdir(join(cacheDir, 'sources'))).filter((n) => n.startsWith('pixman') || n.startsWith('.tmp'))).toEqual([]);
  });

  it('reports the missing tarballs of device-tree-compiler as missing-file', async (test) => {
    const found = archive.findSource('device-tree-compiler', 'bookworm');
    if (!found.ok) throw new Error(JSON.stringify(found.error));
    // Which files the mirror lacks is looked up first, not assumed.
    const missing = await mirrorProbe(archive)(found.value);
    if (!missing.ok) throw new Error(JSON.stringify(missing.error));
    if (missing.value.length === 0) return test.skip(`the mirror now serves device-tree-compiler ${found.value.version} whole`);
    const fetched = await archive.fetchSource(found.value);
    expect(fetched).toMatchObject({ ok: false, error: { reason: 'missing-file' } });
    if (!fetched.ok && fetched.error.reason === 'missing-file') expect(missing.value.map((m) => m.file)).toContain(fetched.error.file);
  });
});
