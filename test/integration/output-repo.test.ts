// The output repository as a client machine sees it: a real static musl program packaged as a
// .deb naming what it embeds, published into a repository signed with a key made here, the
// signatures checked by gpgv, and the package installed by apt-get in a fresh container (no
// network) that trusts exactly the exported key.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOutputRepo, publishToOutputRepo, reindexOutputRepo } from '../../src/cache/output-repo.js';
import { buildDebLayout } from '../../src/deb/deb-layout.js';
import { writeDeb } from '../../src/deb/deb-writer.js';
import { DockerRuntime } from '../../src/runtime/docker-runtime.js';
import { ensureEngine, ensureTestImage, TEST_IMAGE } from './runtime-support.js';
import { describeDebLayoutError, describeDebWriteError } from '../../src/cli/deb-messages.js';
import { describeOutputRepoError } from '../../src/cli/cache-messages.js';

const work = mkdtempSync(join(tmpdir(), 'stubforge-output-repo-'));
const DOCKER = '/usr/bin/docker';
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** musl's source version as dpkg records it on this machine: what Static-Built-Using must name. */
function muslSourceVersion(): string {
  return execFileSync('dpkg-query', ['-W', '-f=${source:Version}', 'musl-dev'], { encoding: 'utf8' }).trim();
}

/** A static musl executable, packaged the way an application .deb is: Static-Built-Using, Source. */
async function applicationDeb(version: string): Promise<string> {
  const dir = join(work, `app-${version}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'hello.c'), '#include <stdio.h>\nint main(void) { puts("hello from a static musl program"); return 0; }\n');
  const exe = join(dir, 'hello-stubforge');
  execFileSync('musl-gcc', ['-static', '-O2', '-o', exe, join(dir, 'hello.c')]);
  const layout = buildDebLayout({
    package: 'hello-stubforge', version, architecture: 'amd64', maintainer: 'stubforge test <root@localhost>',
    description: { synopsis: 'static musl test program', extended: ['A static musl program used to test the output repository.'] },
    fields: [
      { name: 'Source', value: `hello-stubforge (${version.replace(/\+b\d+$/, '')})` },
      { name: 'Static-Built-Using', value: `musl (= ${muslSourceVersion()})` },
      { name: 'Section', value: 'misc' }, { name: 'Priority', value: 'optional' },
    ],
    files: [{ type: 'file', path: 'usr/bin/hello-stubforge', mode: 0o755, content: readFileSync(exe) }],
    sourceDateEpoch: 1_700_000_000,
  });
  if (!layout.ok) throw new Error(describeDebLayoutError(layout.error));
  const written = await writeDeb(layout.value, join(dir, layout.value.filename));
  if (!written.ok) throw new Error(describeDebWriteError(written.error));
  return written.value.path;
}

/** A signing key without passphrase, exported as a secret key file: what `--sign-key FILE` takes. */
function makeKey(): string {
  const home = join(work, 'keygen');
  mkdirSync(home, { mode: 0o700 });
  const gpg = (...args: string[]): Buffer => execFileSync('gpg', ['--batch', '--homedir', home, ...args]);
  gpg('--passphrase', '', '--quick-gen-key', 'stubforge test archive <archive@stubforge.invalid>', 'ed25519', 'sign', '1d');
  const file = join(work, 'archive-secret.asc');
  writeFileSync(file, gpg('--armor', '--export-secret-keys'));
  execFileSync('gpgconf', ['--homedir', home, '--kill', 'gpg-agent']);
  return file;
}

describe('output repository', () => {
  const root = join(work, 'output');
  let keyFile = '';
  let debs: string[] = [];

  beforeAll(async () => {
    // gpg signs the repository (Debian's gnupg; docker/setup.sh is to list it among the host packages).
    if (spawnSync('gpg', ['--version']).status !== 0) execFileSync('apt-get', ['install', '-y', '-qq', 'gnupg'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    keyFile = makeKey();
    debs = [await applicationDeb('1.0-1'), await applicationDeb('1.0-1+b1')];
  }, 120_000);

  it('publishes .debs into a flat repository with a signed Release', async () => {
    const published = await publishToOutputRepo(root, debs, { signingKey: { kind: 'file', path: keyFile } });
    if (!published.ok) throw new Error(describeOutputRepoError(published.error));
    expect(published.value.packages.map((p) => `${p.package} ${p.version}`)).toEqual(['hello-stubforge 1.0-1', 'hello-stubforge 1.0-1+b1']);
    expect(published.value.signedBy).toMatch(/^[0-9A-F]{40}$/);
    const packages = readFileSync(join(root, 'Packages'), 'utf8');
    expect(packages).toMatch(/^Static-Built-Using: musl \(= /m);
    expect(packages).toContain('Filename: pool/hello-stubforge_1.0-1+b1_amd64.deb');
  });

  it('has signatures gpgv accepts with the exported key, and refuses once Release changes', () => {
    const keyring = join(root, 'archive-key.gpg');
    const status = execFileSync('gpgv', ['--status-fd', '1', '--keyring', keyring, join(root, 'InRelease')], { encoding: 'utf8' });
    expect(status).toMatch(/\[GNUPG:\] GOODSIG/);
    execFileSync('gpgv', ['--keyring', keyring, join(root, 'Release.gpg'), join(root, 'Release')], { stdio: 'pipe' });
    const tampered = join(work, 'Release.tampered');
    writeFileSync(tampered, readFileSync(join(root, 'Release'), 'utf8').replace('Origin: stubforge', 'Origin: someone-else'));
    expect(() => execFileSync('gpgv', ['--keyring', keyring, join(root, 'Release.gpg'), tampered], { stdio: 'pipe' })).toThrow();
  });

  it('publishes the same file again as a no-op and never replaces a version with other bytes', async () => {
    const again = await publishToOutputRepo(root, [debs[0] ?? ''], { signingKey: { kind: 'file', path: keyFile } });
    expect(again.ok).toBe(true);
    // Same name and version, other bytes: another program.
    const dir = join(work, 'other');
    mkdirSync(dir, { recursive: true });
    const layout = buildDebLayout({
      package: 'hello-stubforge', version: '1.0-1', architecture: 'amd64', maintainer: 'x <x@x>',
      description: { synopsis: 'different', extended: [] }, files: [{ type: 'file', path: 'usr/share/doc/x', content: 'y' }], sourceDateEpoch: 1,
    });
    if (!layout.ok) throw new Error(describeDebLayoutError(layout.error));
    const written = await writeDeb(layout.value, join(dir, 'x.deb'));
    if (!written.ok) throw new Error(describeDebWriteError(written.error));
    const other = written.value.path;
    const refused = await publishToOutputRepo(root, [other]);
    expect(refused.ok ? 'ok' : refused.error.reason).toBe('version-exists');
    const listed = await listOutputRepo(root);
    expect(listed.ok && listed.value.length).toBe(2);
  });

  it('is installed from by apt-get in a fresh container that trusts only the exported key', async () => {
    ensureEngine();
    await ensureTestImage(new DockerRuntime());
    const script = [
      'set -e',
      'echo "deb [signed-by=/srv/repo/archive-key.gpg] file:/srv/repo ./" > /tmp/out.list',
      'APT="-o Dir::Etc::sourcelist=/tmp/out.list -o Dir::Etc::sourceparts=- -o APT::Sandbox::User=root"',
      'apt-get $APT update',
      'apt-get $APT install -y --no-install-recommends hello-stubforge',
      "dpkg-query -W -f='installed ${Package} ${Version}\\n' hello-stubforge",
      'hello-stubforge',
    ].join('\n');
    const out = execFileSync(DOCKER, ['run', '--rm', '--network', 'none', '-v', `${root}:/srv/repo:ro`, TEST_IMAGE, 'bash', '-c', script], { encoding: 'utf8' });
    expect(out).toContain('installed hello-stubforge 1.0-1+b1');
    expect(out).toContain('hello from a static musl program');
  }, 600_000);

  it('refuses an unsigned repository in the same container setup once signatures are gone', async () => {
    const unsigned = await reindexOutputRepo(root);
    expect(unsigned.ok).toBe(true);
    const script = [
      'echo "deb [signed-by=/srv/repo/archive-key.gpg] file:/srv/repo ./" > /tmp/out.list',
      'apt-get -o Dir::Etc::sourcelist=/tmp/out.list -o Dir::Etc::sourceparts=- -o APT::Sandbox::User=root update 2>&1; echo "exit $?"',
    ].join('\n');
    const out = execFileSync(DOCKER, ['run', '--rm', '--network', 'none', '-v', `${root}:/srv/repo:ro`, TEST_IMAGE, 'bash', '-c', script], { encoding: 'utf8' });
    expect(out).toMatch(/is not signed/);
  }, 600_000);
});
