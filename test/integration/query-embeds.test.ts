// `stubforge query embeds` as a user runs it (the command module with its own streams), over a
// build cache holding real published -cross packages (musl-gcc-built static libraries, published
// through the repository), an output repository holding an application .deb, a .deb given by
// path, and a dists/ layout made of real bookworm Packages paragraphs.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRepo } from '../../src/cache/apt-repo.js';
import { publishToOutputRepo } from '../../src/cache/output-repo.js';
import type { CliCommand } from '../../src/cli/command.js';
import { command as query } from '../../src/cli/commands/query.js';
import { buildDebLayout } from '../../src/deb/deb-layout.js';
import { writeDeb } from '../../src/deb/deb-writer.js';
import type { CacheKey, Sha256Hex } from '../../src/model/brand.js';
import { ARCH, crossPackagesFor, stageLibrary, writeAll } from './deb-fixtures.js';
import { runCommand, type CommandResult } from './cli-support.js';
import { describeDebLayoutError, describeDebWriteError } from '../../src/cli/deb-messages.js';
import { describeOutputRepoError, describeRepoError } from '../../src/cli/cache-messages.js';

const home = mkdtempSync(join(tmpdir(), 'stubforge-query-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

async function stubforge(cmd: CliCommand, ...args: string[]): Promise<CommandResult> {
  return runCommand(cmd, args, { env: { STUBFORGE_HOME: home }, cwd: home });
}

const ZLIB_OLD = '1:1.2.13.dfsg-1';
const ZLIB_NEW = '1:1.3.dfsg+really1.3.1-1';
const key = (n: string): CacheKey => n.repeat(64).slice(0, 64) as CacheKey;

/** Publish a -cross build of `source` at `version` into the build cache. */
async function publishLibrary(source: string, binary: string, version: string, k: CacheKey, deps: { binary: string; version: string }[] = []): Promise<void> {
  const staged = stageLibrary(join(home, 'work'), source.replace(/[^a-z]/g, ''));
  const pkgs = await crossPackagesFor(staged, source, k, { sourceVersion: version, binaries: [{ name: binary }], dependencies: deps });
  const written = await writeAll(pkgs, join(home, 'debs', k));
  const repo = await openRepo(join(home, 'repo'));
  if (!repo.ok) throw new Error(describeRepoError(repo.error));
  const published = await repo.value.publish(k, written.map((w) => w.path), { source, sourceVersion: version, arch: ARCH, recipeSha256: 'a'.repeat(64) as Sha256Hex });
  if (!published.ok) throw new Error(describeRepoError(published.error));
}

/** An application .deb whose Static-Built-Using names the closure it was linked with. */
async function applicationDeb(version: string, staticBuiltUsing: string): Promise<string> {
  const layout = buildDebLayout({
    package: 'demo-stubdom', version, architecture: 'amd64', maintainer: 'stubforge test <root@localhost>',
    description: { synopsis: 'demo application', extended: [] },
    fields: [{ name: 'Source', value: 'demo (1.0-1)' }, { name: 'Static-Built-Using', value: staticBuiltUsing }, { name: 'X-Stubforge-Arch', value: ARCH }],
    files: [{ type: 'file', path: 'usr/lib/demo/README', content: 'demo\n' }], sourceDateEpoch: 1_700_000_000,
  });
  if (!layout.ok) throw new Error(describeDebLayoutError(layout.error));
  mkdirSync(join(home, 'app'), { recursive: true });
  const written = await writeDeb(layout.value, join(home, 'app', layout.value.filename));
  if (!written.ok) throw new Error(describeDebWriteError(written.error));
  return written.value.path;
}

beforeAll(async () => {
  mkdirSync(join(home, 'work'), { recursive: true });
  await publishLibrary('zlib', 'zlib1g-dev', ZLIB_OLD, key('1'));
  await publishLibrary('glib2.0', 'libglib2.0-dev', '2.74.6-2+deb12u9', key('2'), [{ binary: 'zlib1g-dev', version: ZLIB_OLD }]);
  const app = await applicationDeb('1.0-1', `glib2.0 (= 2.74.6-2+deb12u9), musl (= 1.2.3-1), zlib (= ${ZLIB_OLD})`);
  const out = await publishToOutputRepo(join(home, 'output'), [app]);
  if (!out.ok) throw new Error(describeOutputRepoError(out.error));
}, 120_000);

describe('stubforge query embeds', () => {
  it('names the application and the -cross package that embed zlib, with the version and the field', async () => {
    const { code, stdout } = await stubforge(query, 'embeds', 'zlib', '--format', 'json');
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as { matches: { package: string; sourceVersion: string; via: string[]; from: string }[]; inputs: string[] };
    expect(doc.matches.map((m) => [m.package, m.sourceVersion, m.via])).toEqual([
      ['demo-stubdom', ZLIB_OLD, ['Static-Built-Using']],
      ['zlib1g-dev-musl-linux-amd64-cross', ZLIB_OLD, ['Built-Using', 'X-Stubforge-Source']],
    ]);
    expect(doc.inputs).toEqual([join(home, 'output', 'Packages.xz'), join(home, 'repo', 'Packages.xz')]);
  });

  it.each([
    [['zlib', '<<', ZLIB_NEW], 0, 2],
    [[`zlib (<< ${ZLIB_NEW})`], 0, 2],
    [['zlib', '>=', ZLIB_NEW], 1, 0],
    [['glib2.0'], 0, 2],
    [['pcre2'], 1, 0],
  ])('query %j exits %i with %i match(es)', async (words, exit, count) => {
    const { code, stdout } = await stubforge(query, 'embeds', ...words, '--format', 'json');
    expect(code).toBe(exit);
    expect((JSON.parse(stdout) as { matches: unknown[] }).matches).toHaveLength(count);
  });

  it('prints a table a person reads', async () => {
    const { stdout } = await stubforge(query, 'embeds', 'zlib', '<<', ZLIB_NEW);
    expect(stdout).toMatch(/^2 package\(s\) embed zlib \(<< 1:1\.3\.dfsg\+really1\.3\.1-1\):$/m);
    expect(stdout).toMatch(/^ {2}demo-stubdom +1\.0-1 +amd64 +zlib 1:1\.2\.13\.dfsg-1 +Static-Built-Using +\S+Packages\.xz:1$/m);
  });

  it('reads a .deb given by path alone', async () => {
    const deb = join(home, 'app', 'demo-stubdom_1.0-1_amd64.deb');
    const { code, stdout } = await stubforge(query, 'embeds', 'musl', '--only-given', '--deb', deb, '--format', 'json');
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { matches: { from: string }[] }).matches.map((m) => m.from)).toEqual([`${deb}:1`]);
  });

  it('reads a dists/ layout through its Release (real bookworm paragraphs)', async () => {
    const base = join(home, 'mirror-copy');
    const dir = join(base, 'dists/bookworm/main/binary-amd64');
    mkdirSync(dir, { recursive: true });
    const packages = readFileSync(new URL('../fixtures/embeds/Packages-embeds-bookworm.txt', import.meta.url));
    writeFileSync(join(dir, 'Packages'), packages);
    execFileSync('xz', ['-k', join(dir, 'Packages')]);
    const sha = execFileSync('sha256sum', [join(dir, 'Packages.xz')], { encoding: 'utf8' }).split(' ')[0] ?? '';
    writeFileSync(join(base, 'dists/bookworm/Release'), `Suite: bookworm\nSHA256:\n ${sha} 1 main/binary-amd64/Packages.xz\n`);
    const { code, stdout } = await stubforge(query, 'embeds', 'zlib', '--only-given', '--repo', base, '--format', 'json');
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { matches: { package: string }[] }).matches.map((m) => m.package)).toEqual(['cdebootstrap-static']);
  });

  it('exits 4 and names the file when an input cannot be read, printing what it could read', async () => {
    writeFileSync(join(home, 'broken.deb'), 'not an ar archive');
    const { code, stdout, stderr } = await stubforge(query, 'embeds', 'zlib', '--deb', join(home, 'broken.deb'));
    expect(code).toBe(4);
    expect(stdout).toMatch(/^2 package\(s\) embed/m);
    expect(stderr).toContain(`${join(home, 'broken.deb')}: `);
    expect(stderr).toContain('the answer may be incomplete');
  });

  it('exits 2 on a bad query', async () => {
    expect((await stubforge(query, 'embeds', 'zlib', '<', '1')).code).toBe(2);
    expect((await stubforge(query, 'provides', 'zlib')).code).toBe(2);
  });
});
