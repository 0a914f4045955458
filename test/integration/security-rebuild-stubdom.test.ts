// The security workflow on the flagship, end to end, from an empty output repository: the main job
// (docker/main-job.sh: qemu-stubdom for musl-linux-amd64, bookworm), then a zlib fix taken from
// trixie — its version read from the trixie index at test time, and its source fetched first, so
// the test says so plainly when the mirror does not serve it — `query embeds zlib '<<' <new>`,
// `rebuild --updated zlib=<new> --suite trixie --yes`, and in a fresh container without network
// apt-get upgrades the installed stub-domain package to the rebuilt one. The rebuild builds the
// recorded bookworm QEMU (not trixie's), only the affected set is rebuilt, and the new binary's
// Static-Built-Using names the new zlib and the same glib2.0, pixman, xen and musl as before.
// DEBFULLNAME/DEBEMAIL are unset: the packages keep their source's Maintainer, which lintian
// accepts. Long: 34.5 min on the shared 2-core project machine (load 10–30), the main job ≈ 28 of
// them, the rebuild (zlib, glib2.0, QEMU) ≈ 6. bin/stubforge.js runs dist/: `npm run build` first.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArchive } from '../../src/archive/archive.js';
import { openRepo, type PublishedDeb } from '../../src/cache/apt-repo.js';
import type { CliCommand } from '../../src/cli/command.js';
import { command as query } from '../../src/cli/commands/query.js';
import { command as rebuild } from '../../src/cli/commands/rebuild.js';
import { field, lintianErrors, ROOT, run } from './application-support.js';
import { runCommand, type CommandResult } from './cli-support.js';
import { ensureEngine, ensureTestImage, TEST_IMAGE } from './runtime-support.js';
import { DockerRuntime } from '../../src/runtime/docker-runtime.js';
import { compareVersionStrings } from '../../src/version/index.js';
import { describeRepoError } from '../../src/cli/cache-messages.js';

const PACKAGE = 'qemu-system-xen-stubdom';
const work = mkdtempSync(join(tmpdir(), 'stubforge-sec-stubdom-'));
const INDEX_CACHE = join(tmpdir(), 'stubforge-test-index-cache');
const { DEBFULLNAME: _name, DEBEMAIL: _email, ...inherited } = process.env;
const env = { ...inherited, STUBFORGE_HOME: join(work, 'home'), STUBFORGE_CACHE: INDEX_CACHE, STUBFORGE_LOG_LEVEL: 'warn' };
const repoRoot = join(work, 'home', 'repo');

let mainJob: { status: number | null; output: string };
let before: PublishedDeb;
let newZlib = '';

async function stubforge(cmd: CliCommand, ...args: string[]): Promise<CommandResult> {
  return runCommand(cmd, args, { env, cwd: work });
}

async function applicationDebs(): Promise<PublishedDeb[]> {
  const repo = await openRepo(repoRoot);
  if (!repo.ok) throw new Error(describeRepoError(repo.error));
  const listed = await repo.value.list();
  if (!listed.ok) throw new Error(describeRepoError(listed.error));
  return listed.value.flatMap((e) => e.debs).filter((d) => d.package === PACKAGE);
}

const embedsOf = (deb: PublishedDeb): Map<string, string> =>
  new Map([...(/^Static-Built-Using: (.*)$/m.exec(deb.control)?.[1] ?? '').matchAll(/([a-z0-9.+-]+) \(= ([^)]+)\)/g)].map((m) => [m[1] ?? '', m[2] ?? '']));

/**
 * trixie's zlib, read from the index now: the newest version whose source the mirror serves (a
 * point release's .dsc may be missing; trixie's Sources may still list the upload before it).
 * The rebuild reads the same index, so it is the version a security team would be offered.
 */
async function trixieZlib(): Promise<string> {
  const archive = await openArchive({ cacheDir: INDEX_CACHE, suites: ['trixie'] });
  if (!archive.ok) throw new Error(`trixie index: ${JSON.stringify(archive.error)}`);
  const records = archive.value.index.sources.filter((s) => s.package === 'zlib' && s.suite === 'trixie')
    .sort((a, b) => (compareVersionStrings(b.version, a.version) as { ok: true; value: number }).value);
  const missing: string[] = [];
  for (const record of records) {
    const fetched = await archive.value.fetchSource(record);
    if (fetched.ok) return record.version;
    missing.push(`${record.version}: ${fetched.error.reason}`);
  }
  throw new Error(`the mirror serves no trixie zlib source (${missing.join('; ') || 'trixie has no zlib'})`);
}

beforeAll(async () => {
  ensureEngine();
  mkdirSync(INDEX_CACHE, { recursive: true });
  newZlib = await trixieZlib();
  // The main job, as docker/setup.sh runs it.
  const ran = spawnSync('bash', [join(ROOT, 'docker/main-job.sh')], { env, cwd: work, encoding: 'utf8', timeout: 3_600_000, maxBuffer: 64 * 1024 * 1024 });
  mainJob = { status: ran.status, output: `${ran.stdout}\n${ran.stderr}` };
  const debs = await applicationDebs();
  if (debs[0] !== undefined) before = debs[0];
}, 3_700_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the zlib fix on the stub domain: main job, query, rebuild, upgrade', () => {
  it('the main job builds the stub domain; its .deb keeps qemu\'s Maintainer and lintian finds no error', () => {
    expect(mainJob.status, mainJob.output).toBe(0);
    expect(before.version).toMatch(/^1:7\.2\+dfsg-[^~]+~stubforge1$/);
    const deb = join(repoRoot, before.filename);
    expect(field(deb, 'Maintainer')).not.toMatch(/localhost/);
    expect(field(deb, 'Maintainer')).toMatch(/<[^@>]+@[^>]+\.[a-z]+>$/);
    const { errors, output } = lintianErrors(deb);
    expect(errors, output).toEqual([]);
  });

  it('query embeds zlib << <new> names the stub domain package', async () => {
    const { code, stdout } = await stubforge(query, 'embeds', 'zlib', '<<', newZlib, '--format', 'json');
    expect(code, stdout).toBe(0);
    const matches = (JSON.parse(stdout) as { matches: { package: string; version: string; sourceVersion: string }[] }).matches;
    expect(matches).toContainEqual(expect.objectContaining({ package: PACKAGE, version: before.version, sourceVersion: embedsOf(before).get('zlib') }));
  });

  it('the dry run keeps the recorded bookworm QEMU and names where each version comes from', async () => {
    const { code, stdout, stderr } = await stubforge(rebuild, '--updated', `zlib=${newZlib}`, '--suite', 'trixie');
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    const sourceVersion = /^Source: qemu \((\S+)\)$/m.exec(before.control)?.[1] ?? '';
    // The suites the main job read, as recorded in the package (the main job reads the default
    // suites and pins what the mirror serves: docker/main-job.sh), then trixie for the update.
    const recorded = (/^X-Stubforge-Suites:[ \t]*(\S.*)$/m.exec(before.control)?.[1] ?? '').split(/\s+/);
    expect(recorded).toContain('bookworm');
    expect(stdout).toMatch(new RegExp(`^ {4}qemu +${escape(sourceVersion)} +from (${recorded.map(escape).join('|')}), as recorded$`, 'm'));
    expect(stdout).toMatch(new RegExp(`^ {4}zlib +${escape(newZlib)} +from trixie, the update, was ${escape(embedsOf(before).get('zlib') ?? '')}$`, 'm'));
    expect(stdout).toContain(`    suites: ${[...recorded, 'trixie (the update)'].join(', ')}`);
    expect(stdout).toContain('--allow-orig-only pixman');
    expect(stdout).toContain(`    ${PACKAGE}: ${before.version} → ${sourceVersion}~stubforge2`);
    expect(stdout).toContain('dry run: nothing built');
  });

  let rebuilt: string[] = [];
  let affected: string[] = [];

  it('rebuild --yes rebuilds exactly the affected set and the application; the rest are cache hits', async () => {
    const dry = await stubforge(rebuild, '--updated', `zlib=${newZlib}`, '--suite', 'trixie');
    affected = [...dry.stdout.matchAll(/^ {2}musl-linux-amd64 {2}(\S+) \S+ {2}key /gm)].map((m) => m[1] ?? '');
    const { code, stdout, stderr } = await stubforge(rebuild, '--updated', `zlib=${newZlib}`, '--suite', 'trixie', '--yes');
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    expect(stdout).not.toContain('REBUILT OUTSIDE');
    const result = /^qemu-stubdom on musl-linux-amd64: rebuilt (.*); cache hits (.*)$/m.exec(stdout);
    rebuilt = result?.[1]?.split(', ') ?? [];
    expect(rebuilt.sort()).toEqual([...affected, 'qemu'].sort());
    expect(affected).toContain('zlib');
    // pixman and the libraries only glib2.0 uses do not build against zlib: they come from the cache.
    expect(result?.[2]?.split(', ')).toEqual(expect.arrayContaining(['pixman', 'libffi', 'pcre2']));
  }, 7_200_000);

  it('the rebuilt package embeds the new zlib and the same glib2.0, pixman, xen and musl, with the binNMU stanza on top of its changelog', async () => {
    const after = (await applicationDebs()).find((d) => d.version !== before.version);
    expect(after?.version).toBe(before.version.replace(/~stubforge1$/, '~stubforge2'));
    if (after === undefined) return;
    const [old, now] = [embedsOf(before), embedsOf(after)];
    expect(now.get('zlib')).toBe(newZlib);
    for (const source of ['glib2.0', 'pixman', 'xen', 'musl']) expect(now.get(source), source).toBe(old.get(source));
    expect(field(join(repoRoot, after.filename), 'Maintainer')).toBe(field(join(repoRoot, before.filename), 'Maintainer'));
    const unpacked = join(work, 'unpacked');
    execFileSync('dpkg-deb', ['-x', join(repoRoot, after.filename), unpacked]);
    const changelog = gunzipSync(readFileSync(join(unpacked, 'usr/share/doc', PACKAGE, 'changelog.Debian.gz'))).toString('utf8');
    expect(changelog.split('\n')[0]).toBe(`qemu (${after.version}) bookworm; urgency=medium, binary-only=yes`);
    expect(changelog).toContain(`Rebuild against zlib ${newZlib}`);
  });

  it('the libraries rebuilt against the new zlib without a source change carry a binNMU version after the old one', async () => {
    const repo = await openRepo(repoRoot);
    const listed = repo.ok ? await repo.value.list() : repo;
    if (!listed.ok) throw new Error(describeRepoError(listed.error));
    const glib = listed.value.flatMap((e) => e.debs).filter((d) => d.package === 'libglib2.0-dev-musl-linux-amd64-cross').map((d) => d.version);
    const recorded = embedsOf(before).get('glib2.0') ?? '';
    expect(glib.sort()).toEqual([recorded, `${recorded}+b1`]);
    expect(spawnSync('dpkg', ['--compare-versions', `${recorded}+b1`, 'gt', recorded]).status).toBe(0);
  });

  it('apt-get in a fresh container upgrades the installed stub domain to the rebuilt one', async () => {
    await ensureTestImage(new DockerRuntime());
    const after = (await applicationDebs()).find((d) => d.version !== before.version);
    const script = [
      'set -e',
      'echo "deb [trusted=yes] file:/srv/repo ./" > /tmp/sf.list',
      'APT="-o Dir::Etc::sourcelist=/tmp/sf.list -o Dir::Etc::sourceparts=- -o APT::Sandbox::User=root"',
      'apt-get $APT update',
      `apt-get $APT install -y --no-install-recommends ${PACKAGE}=${before.version}`,
      `dpkg-query -W -f='before \${Version}\\n' ${PACKAGE}`,
      `apt-get $APT install -y --no-install-recommends ${PACKAGE}`,
      `dpkg-query -W -f='after \${Version}\\n' ${PACKAGE}`,
    ].join('\n');
    const out = run('docker', ['run', '--rm', '--network', 'none', '--label', 'stubforge.test=security-rebuild-stubdom', '-v', `${repoRoot}:/srv/repo:ro`, TEST_IMAGE, 'bash', '-c', script]);
    expect(out.status, `${out.stdout}\n${out.stderr}`).toBe(0);
    expect(out.stdout).toContain(`before ${before.version}`);
    expect(out.stdout).toContain(`Unpacking ${PACKAGE} (${after?.version ?? '?'}) over (${before.version})`);
    expect(out.stdout).toContain(`after ${after?.version ?? '?'}`);
  }, 600_000);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
