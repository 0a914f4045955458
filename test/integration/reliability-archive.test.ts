// A hostile archive, served from 127.0.0.1 and signed with a key made for the test (the test of
// docs/reliability.md): the real bookworm index excerpts of test/fixtures/solver plus a small source of
// the test's own, `hostile`, whose orig tarball is what an attacker controls. With
// `--allow-orig-only hostile` stubforge builds from that tarball alone, as the main job does for
// pixman: a licence file that links to a host path must be refused, never shipped in the -cross
// package's copyright. The rest tamper with what the signature covers (exit 4 each).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyRepo } from '../../src/cache/repo-verify.js';
import { DockerRuntime } from '../../src/runtime/docker-runtime.js';
import { Label } from '../../src/runtime/labels.js';
import { ensureEngine } from './runtime-support.js';

const ROOT = join(import.meta.dirname, '../..');
const FIXTURES = join(ROOT, 'test/fixtures/solver');
const work = mkdtempSync(join(tmpdir(), 'stubforge-reliability-archive-'));
const gnupg = join(work, 'gnupg');
const otherGnupg = join(work, 'gnupg-other');
const keyring = join(work, 'archive-key.gpg');
const mirrorDir = join(work, 'mirror');
const recipes = join(work, 'recipes');
let server: Server;
let mirror = '';
let tamper: ((path: string, body: Buffer) => Buffer) | undefined;

const gpg = (home: string, ...args: string[]): Buffer =>
  execFileSync('gpg', ['--batch', '--homedir', home, '--pinentry-mode', 'loopback', '--passphrase', '', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');

/** The orig tarball of `hostile` (hostile-1.0/...), made from a folder the caller fills. */
function origTarball(version: string, fill: (dir: string) => void): Buffer {
  const src = join(work, `src-${version}`);
  const top = join(src, `hostile-${version}`);
  mkdirSync(top, { recursive: true });
  writeFileSync(join(top, 'hostile.h'), '#define HOSTILE 1\n');
  fill(top);
  const tarball = join(work, `hostile_${version}.orig.tar.gz`);
  execFileSync('tar', ['-czf', tarball, '-C', src, `hostile-${version}`]);
  return readFileSync(tarball);
}

/** A Sources paragraph of `hostile` whose files are the given ones (the .dsc and Debian part are missing on purpose). */
function sourcesParagraph(version: string, orig: Buffer): string {
  const dsc = `hostile_${version}-1.dsc`;
  const origName = `hostile_${version}.orig.tar.gz`;
  const debian = `hostile_${version}-1.debian.tar.xz`;
  return [
    'Package: hostile', 'Binary: libhostile-dev', `Version: ${version}-1`, 'Maintainer: stubforge test <test@stubforge.invalid>',
    'Architecture: any', 'Format: 3.0 (quilt)',
    'Files:', ` ${'0'.repeat(32)} 100 ${dsc}`, ` ${md5(orig)} ${orig.length} ${origName}`, ` ${'0'.repeat(32)} 100 ${debian}`,
    'Checksums-Sha256:', ` ${'0'.repeat(64)} 100 ${dsc}`, ` ${sha256(orig)} ${orig.length} ${origName}`, ` ${'0'.repeat(64)} 100 ${debian}`,
    'Package-List:', ' libhostile-dev deb libdevel optional arch=any',
    'Directory: pool/main/h/hostile', 'Priority: source', 'Section: libs', '',
  ].join('\n');
}

const VERSIONS = {
  /** COPYING -> /etc/hostname: the host file must never be read. */
  '1.0': (dir: string): void => { symlinkSync('/etc/hostname', join(dir, 'COPYING')); },
  /** A block device in the tree (tar runs as root and makes it). */
  '2.0': (dir: string): void => {
    writeFileSync(join(dir, 'COPYING'), 'fine\n');
    spawnSync('mknod', [join(dir, 'disk'), 'b', '7', '200']);
    execFileSync('mkfifo', [join(dir, 'pipe')]);
  },
  /** A fine tarball that the mirror then serves altered. */
  '3.0': (dir: string): void => { writeFileSync(join(dir, 'COPYING'), 'Permission is granted.\n'); },
} as const;

function publish(date: Date): void {
  const dir = join(mirrorDir, 'dists', 'bookworm');
  let sources = readFileSync(join(FIXTURES, 'bookworm-main-Sources'), 'utf8').replace(/\n*$/, '\n\n');
  for (const [version, fill] of Object.entries(VERSIONS)) {
    const orig = origTarball(version, fill);
    mkdirSync(join(mirrorDir, 'pool/main/h/hostile'), { recursive: true });
    writeFileSync(join(mirrorDir, 'pool/main/h/hostile', `hostile_${version}.orig.tar.gz`), orig);
    sources += `${sourcesParagraph(version, orig)}\n`;
  }
  const indices: [string, Buffer][] = [
    ['main/source/Sources', Buffer.from(sources)],
    ['main/binary-amd64/Packages', readFileSync(join(FIXTURES, 'bookworm-main-amd64-Packages'))],
  ];
  const lines: string[] = [];
  for (const [path, data] of indices) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), data);
    lines.push(` ${sha256(data)} ${data.length} ${path}`);
  }
  writeFileSync(join(dir, 'Release'), ['Origin: stubforge test', 'Suite: bookworm', 'Codename: bookworm', `Date: ${date.toUTCString()}`,
    'Architectures: amd64', 'Components: main', 'SHA256:', ...lines, ''].join('\n'));
  rmSync(join(dir, 'InRelease'), { force: true });
  gpg(gnupg, '--clearsign', '--output', join(dir, 'InRelease'), join(dir, 'Release'));
}

beforeAll(async () => {
  ensureEngine();
  mkdirSync(gnupg, { mode: 0o700 });
  mkdirSync(otherGnupg, { mode: 0o700 });
  gpg(gnupg, '--quick-gen-key', 'stubforge reliability test <archive@stubforge.invalid>', 'ed25519', 'sign', '1d');
  gpg(otherGnupg, '--quick-gen-key', 'somebody else <other@stubforge.invalid>', 'ed25519', 'sign', '1d');
  writeFileSync(keyring, gpg(gnupg, '--export'));
  publish(new Date(Date.now() - 60_000));
  mkdirSync(recipes, { recursive: true });
  writeFileSync(join(recipes, 'hostile'), [
    'Format-Version: 1.0', 'Source: hostile', 'Build-System: steps', 'Estimated-Build-Seconds: 1', 'Steps:',
    ' mkdir -p "$DESTDIR$STUBFORGE_PREFIX/include"', ' cp hostile.h "$DESTDIR$STUBFORGE_PREFIX/include/"',
    'Artefacts:', ' include/hostile.h', 'Publish: libhostile-dev', '',
  ].join('\n'));
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let body: Buffer;
    try {
      body = readFileSync(join(mirrorDir, path));
    } catch {
      res.writeHead(404).end();
      return;
    }
    body = tamper?.(path, body) ?? body;
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await new Promise<void>((resolve) => { server.close(() => { resolve(); }); });
  for (const home of [gnupg, otherGnupg]) spawnSync('gpgconf', ['--homedir', home, '--kill', 'gpg-agent']);
  rmSync(work, { recursive: true, force: true });
});

interface Run { code: number | null; out: string; pid: number }

/** One run of bin/stubforge.js; asynchronous, since this process serves the mirror meanwhile. */
function stubforge(home: string, ...args: string[]): Promise<Run> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/stubforge.js'), ...args, '--suite', 'bookworm', '--mirror', mirror, '--keyring', keyring, '--recipe-dir', recipes], {
    env: { ...process.env, STUBFORGE_HOME: home }, cwd: work,
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { out += c.toString(); });
  return new Promise((resolve) => { child.on('close', (code) => { resolve({ code, out, pid: child.pid ?? 0 }); }); });
}

async function noContainerOf(pid: number): Promise<void> {
  const listed = await new DockerRuntime().listContainers({ [Label.pid]: String(pid) });
  expect(listed.ok && listed.value).toEqual([]);
}

async function nothingPublished(home: string): Promise<void> {
  const repo = join(home, 'repo');
  if (!existsSync(repo)) return;
  expect(readdirSync(join(repo, 'pool'))).toEqual([]);
  const checked = await verifyRepo(repo, { deep: true });
  expect(checked.ok && checked.value.findings).toEqual([]);
}

describe('a hostile orig tarball, built with --allow-orig-only', () => {
  it('COPYING -> /etc/hostname: refused with the link named; the host file is in no package', async () => {
    const home = mkdtempSync(join(work, 'home-'));
    const r = await stubforge(home, 'build', 'hostile', '--pin', 'hostile=1.0-1', '--allow-orig-only', 'hostile');
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/COPYING: symlink to \/etc\/hostname, outside the tree/);
    expect(r.out).not.toContain(readFileSync('/etc/hostname', 'utf8').trim() || '\u0000');
    await nothingPublished(home);
    await noContainerOf(r.pid);
  }, 600_000);

  it('a device node and a fifo in the tarball: the source is refused before any build (exit 4)', async () => {
    const home = mkdtempSync(join(work, 'home-'));
    const r = await stubforge(home, 'build', 'hostile', '--pin', 'hostile=2.0-1', '--allow-orig-only', 'hostile');
    expect(r.code, r.out).toBe(4);
    expect(r.out).toMatch(/the unpacked source holds (disk \(a block device\), )?pipe \(a fifo\); refusing it/);
    await nothingPublished(home);
  }, 600_000);

  it('a clean tarball builds and ships upstream\'s licence text', async () => {
    const home = mkdtempSync(join(work, 'home-'));
    const r = await stubforge(home, 'build', 'hostile', '--pin', 'hostile=3.0-1', '--allow-orig-only', 'hostile');
    expect(r.code, r.out).toBe(0);
    const pool = join(home, 'repo', 'pool');
    const [key] = readdirSync(pool);
    const deb = readdirSync(join(pool, key ?? '')).find((f) => f.endsWith('.deb')) ?? '';
    const copyright = execFileSync('dpkg-deb', ['--fsys-tarfile', join(pool, key ?? '', deb)]);
    expect(copyright.toString('latin1')).toContain('Permission is granted.');
  }, 600_000);
});

describe('archive tampering (exit 4, naming the file)', () => {
  it.each([
    ['Sources altered after signing', (path: string, body: Buffer): Buffer => (path.endsWith('/Sources') ? Buffer.concat([body, Buffer.from('\n')]) : body), /Sources/],
    ['the orig tarball altered', (path: string, body: Buffer): Buffer => (path.endsWith('hostile_3.0.orig.tar.gz') ? Buffer.concat([body, Buffer.from('x')]) : body), /hostile_3\.0\.orig\.tar\.gz/],
    ['InRelease signed by another key', (path: string, body: Buffer): Buffer => {
      if (!path.endsWith('/InRelease')) return body;
      const release = join(work, 'Release-other');
      writeFileSync(release, readFileSync(join(mirrorDir, 'dists/bookworm/Release')));
      rmSync(`${release}.asc`, { force: true });
      gpg(otherGnupg, '--clearsign', '--output', `${release}.asc`, release);
      return readFileSync(`${release}.asc`);
    }, /InRelease/],
    ['InRelease not signed at all', (path: string, body: Buffer): Buffer => (path.endsWith('/InRelease') ? readFileSync(join(mirrorDir, 'dists/bookworm/Release')) : body), /InRelease/],
  ])('%s', async (_what, alter, names) => {
    const home = mkdtempSync(join(work, 'home-'));
    tamper = alter;
    try {
      const r = await stubforge(home, 'build', 'hostile', '--pin', 'hostile=3.0-1', '--allow-orig-only', 'hostile');
      expect(r.code, r.out).toBe(4);
      expect(r.out).toMatch(names);
      await nothingPublished(home);
    } finally {
      tamper = undefined;
    }
  }, 600_000);
});
