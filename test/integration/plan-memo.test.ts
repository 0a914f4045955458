// The plan memo as a user meets it: `stubforge plan` twice against a mirror, the second time from
// the memo, and a miss whenever something the plan depends on changed. The mirror is local, so that
// a test can change its InRelease: the real bookworm, bookworm-updates and bookworm-security index
// excerpts of test/fixtures/solver, listed in an InRelease clear-signed by gpg with a key made for
// the test, served over HTTP on 127.0.0.1 and checked by gpgv with that key (`--keyring`).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command as plan } from '../../src/cli/commands/plan.js';
import { createLogger } from '../../src/log/logger.js';

const ROOT = join(import.meta.dirname, '../..');
const FIXTURES = join(ROOT, 'test/fixtures/solver');
const SUITES = ['bookworm', 'bookworm-updates', 'bookworm-security'] as const;

const work = mkdtempSync(join(tmpdir(), 'stubforge-plan-memo-'));
const gnupg = join(work, 'gnupg');
const keyring = join(work, 'archive-key.gpg');
const mirrorDir = join(work, 'mirror');
const recipeDir = join(work, 'recipes');
let server: Server;
let mirror = '';
/** Served instead of a path's file when set (a tampering mirror). */
let tamper: ((path: string, body: Buffer) => Buffer) | undefined;

const gpg = (...args: string[]): Buffer => execFileSync('gpg', ['--batch', '--homedir', gnupg, '--pinentry-mode', 'loopback', '--passphrase', '', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });

/** dists/<suite>/ with the fixture indices and an InRelease listing them, signed now. */
function publishSuite(suite: string, date: Date): void {
  const dir = join(mirrorDir, 'dists', suite);
  const indices = [
    [`${suite}-main-Sources`, 'main/source/Sources'],
    [`${suite}-main-amd64-Packages`, 'main/binary-amd64/Packages'],
  ] as const;
  const lines: string[] = [];
  for (const [fixture, path] of indices) {
    const data = readFileSync(join(FIXTURES, fixture));
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), data);
    lines.push(` ${createHash('sha256').update(data).digest('hex')} ${data.length} ${path}`);
  }
  const release = [`Origin: stubforge test`, `Suite: ${suite}`, `Codename: ${suite}`, `Date: ${date.toUTCString()}`,
    'Architectures: amd64', 'Components: main', 'SHA256:', ...lines, ''].join('\n');
  writeFileSync(join(dir, 'Release'), release);
  rmSync(join(dir, 'InRelease'), { force: true });
  gpg('--clearsign', '--output', join(dir, 'InRelease'), join(dir, 'Release'));
}

beforeAll(async () => {
  mkdirSync(gnupg, { mode: 0o700 });
  gpg('--quick-gen-key', 'stubforge plan memo test <memo@stubforge.invalid>', 'ed25519', 'sign', '1d');
  writeFileSync(keyring, gpg('--export'));
  for (const suite of SUITES) publishSuite(suite, new Date());
  cpSync(join(ROOT, 'recipes'), recipeDir, { recursive: true });
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
  try {
    execFileSync('gpgconf', ['--homedir', gnupg, '--kill', 'gpg-agent'], { stdio: 'ignore' });
  } catch {
    // No agent left to stop.
  }
  rmSync(work, { recursive: true, force: true });
});

interface Run { code: number; stdout: string; stderr: string; memo: 'hit' | 'miss' | undefined }

/** One `stubforge plan` with a fresh process's view: its own streams and a debug logger read back. */
async function stubforge(home: string, ...args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const logs: string[] = [];
  const sink = (into: string[]): Writable => new Writable({ write(chunk: Buffer, _enc, done) { into.push(chunk.toString()); done(); } });
  const code = await plan.run([
    ...args, '--mirror', mirror, '--keyring', keyring, '--arch-dir', join(ROOT, 'arch'), '--recipe-dir', recipeDir,
  ], {
    // No engine: the cached column stays `unknown`, whatever runs on this machine.
    env: { ...process.env, STUBFORGE_HOME: home, DOCKER_HOST: `unix://${join(work, 'no-engine.sock')}` },
    cwd: home, stdout: sink(out), stderr: sink(err), isTTY: false,
    log: createLogger({ level: 'debug', destination: { write: (line: string) => { logs.push(line); } } }),
  });
  const messages = logs.map((l) => (JSON.parse(l) as { msg: string }).msg);
  const memo = messages.includes('plan memo hit') ? 'hit' : messages.includes('plan memo miss') ? 'miss' : undefined;
  return { code, stdout: out.join(''), stderr: err.join(''), memo };
}

const versionOf = (json: string, source: string): string | undefined =>
  (JSON.parse(json) as { nodes: { source: string; version: string }[] }).nodes.find((n) => n.source === source)?.version;

describe('stubforge plan with its memo', () => {
  const home = mkdtempSync(join(work, 'home-'));

  it('answers a second plan from the memo with the same plan, online and offline', async () => {
    const first = await stubforge(home, 'qemu-stubdom', '--format', 'json');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.memo).toBe('miss');
    expect(versionOf(first.stdout, 'xen')).toBe('4.17.7+13-g2445b30a44-0+deb12u1');
    const second = await stubforge(home, 'qemu-stubdom', '--format', 'json');
    expect(second.memo).toBe('hit');
    expect(second.stdout).toBe(first.stdout);
    const offline = await stubforge(home, 'qemu-stubdom', '--format', 'json', '--offline');
    expect(offline.memo).toBe('hit');
    expect(offline.stdout).toBe(first.stdout);
    // The memo holds the plan, not its rendering: text and dot come from it as well.
    const text = await stubforge(home, 'qemu-stubdom');
    expect(text.memo).toBe('hit');
    expect(text.stdout).toMatch(/^ {2}7 +qemu +1:7\.2\+dfsg-7\+deb12u18 +bookworm +target \(app\)/m);
  }, 300_000);

  it.each([
    ['a recipe is edited', (): string[] => {
      appendFileSync(join(recipeDir, 'zlib'), '# edited\n');
      return [];
    }],
    ['a pin differs', (): string[] => ['--pin', 'xen=4.17.5+72-g01140da4e8-1']],
    ['another arch is asked for', (): string[] => ['--arch', 'rumprun-amd64']],
    ['an InRelease changed (bookworm-updates signed again, with a new Date)', (): string[] => {
      // An hour back: another Date for certain, and not one in the future, which apt and the archive refuse.
      publishSuite('bookworm-updates', new Date(Date.now() - 3_600_000));
      return [];
    }],
  ])('misses when %s, then hits the new memo', async (_what, change) => {
    const before = await stubforge(home, 'qemu-stubdom', '--format', 'json');
    expect(before.memo).toBe('hit');
    const extra = change();
    const changed = await stubforge(home, 'qemu-stubdom', '--format', 'json', ...extra);
    expect(changed.code).toBe(0);
    expect(changed.memo).toBe('miss');
    const again = await stubforge(home, 'qemu-stubdom', '--format', 'json', ...extra);
    expect(again.memo).toBe('hit');
    expect(again.stdout).toBe(changed.stdout);
  }, 300_000);

  it('keeps one memo per pin set, each with its own answer', async () => {
    const pinned = await stubforge(home, 'qemu-stubdom', '--format', 'json', '--pin', 'xen=4.17.5+72-g01140da4e8-1');
    const unpinned = await stubforge(home, 'qemu-stubdom', '--format', 'json');
    expect([pinned.memo, unpinned.memo]).toEqual(['miss', 'hit']);
    expect((await stubforge(home, 'qemu-stubdom', '--format', 'json', '--pin', 'xen=4.17.5+72-g01140da4e8-1')).memo).toBe('hit');
    expect(versionOf(pinned.stdout, 'xen')).toBe('4.17.5+72-g01140da4e8-1');
    expect(versionOf(unpinned.stdout, 'xen')).toBe('4.17.7+13-g2445b30a44-0+deb12u1');
  }, 300_000);

  it('still verifies the InRelease: a tampered one fails with exit 4 although a memo exists', async () => {
    expect((await stubforge(home, 'qemu-stubdom')).memo).toBe('hit');
    tamper = (path, body) => {
      if (!path.endsWith('/bookworm-security/InRelease')) return body;
      const copy = Buffer.from(body);
      const at = copy.indexOf('SHA256:');
      copy[at] = 'X'.charCodeAt(0);
      return copy;
    };
    try {
      const run = await stubforge(home, 'qemu-stubdom');
      expect(run.code).toBe(4);
      expect(run.stderr).toContain('signature check failed');
      expect(run.memo).toBeUndefined();
      expect(run.stdout).toBe('');
    } finally {
      tamper = undefined;
    }
  }, 300_000);
});
