// The .deb writer against the real tools: dpkg-deb, dpkg -x, dpkg --root -i (dpkg's own tar
// unpacker), dpkg-gencontrol (Installed-Size) and lintian.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDebLayout, type DebDescription, type DebLayout } from '../../src/deb/deb-layout.js';
import { writeDeb } from '../../src/deb/deb-writer.js';
import { readDebControl } from '../../src/deb/deb-reader.js';
import { describeTree } from '../../src/deb/deb-tree.js';
import { ARCH, crossPackagesFor, MAINTAINER, SDE, stageLibrary, TRIPLET } from './deb-fixtures.js';
import { describeDebLayoutError, describeDebWriteError, describeTreeError } from '../../src/cli/deb-messages.js';

// ./ + 246 bytes: over ustar's 100-byte name, split into prefix (148) and name (99).
const LONG_DIR = `usr/share/demo/${'a'.repeat(90)}/${'c'.repeat(40)}`;
const LONG_FILE = `${LONG_DIR}/${'b'.repeat(99)}`;

const demo: DebDescription = {
  package: 'stubforge-demo',
  version: '1:2.0-1',
  architecture: 'all',
  maintainer: MAINTAINER,
  description: { synopsis: 'demonstration package for the writer tests', extended: ['First paragraph.', '', ' verbatim line'] },
  fields: [
    { name: 'Section', value: 'misc' },
    { name: 'Priority', value: 'optional' },
    { name: 'Built-Using', value: 'zlib (= 1:1.2.13.dfsg-1)' },
    { name: 'Static-Built-Using', value: 'zlib (= 1:1.2.13.dfsg-1)' },
    { name: 'X-Stubforge-Source', value: 'demo' },
  ],
  files: [
    { type: 'file', path: '/usr/bin/stubforge-demo', mode: 0o755, content: '#!/bin/sh\necho demo\n' },
    { type: 'file', path: '/etc/stubforge-demo.conf', content: 'answer = 42\n' },
    { type: 'file', path: '/usr/share/doc/stubforge-demo/copyright', content: 'Public domain.\n' },
    { type: 'symlink', path: '/usr/bin/demo', target: 'stubforge-demo' },
    { type: 'file', path: LONG_FILE, content: 'x'.repeat(3000) },
    { type: 'directory', path: '/var/lib/stubforge-demo' },
  ],
  conffiles: ['/etc/stubforge-demo.conf'],
  sourceDateEpoch: SDE,
};

let dir: string;
let layout: DebLayout;
let debPath: string;

function run(cmd: string, args: readonly string[], cwd?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', ...(cwd === undefined ? {} : { cwd }) });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stubforge-deb-'));
  const r = buildDebLayout(demo);
  if (!r.ok) throw new Error(describeDebLayoutError(r.error));
  layout = r.value;
  debPath = join(dir, layout.filename);
  const written = await writeDeb(layout, debPath);
  if (!written.ok) throw new Error(describeDebWriteError(written.error));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('writeDeb', () => {
  it('writes byte-identical packages for the same layout', async () => {
    const again = join(dir, 'again.deb');
    const written = await writeDeb(layout, again);
    expect(written.ok).toBe(true);
    const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');
    expect(sha(again)).toBe(sha(debPath));
    expect(written.ok && written.value.sha256).toBe(sha(debPath));
  });

  it('writes ar members debian-binary, control.tar.xz, data.tar.xz with fixed headers', () => {
    expect(run('ar', ['tv', debPath]).trim().split('\n').map((l) => l.replace(/\s+\d+ \w+ .*? (\S+)$/, ' $1'))).toEqual([
      'rw-r--r-- 0/0 debian-binary', 'rw-r--r-- 0/0 control.tar.xz', 'rw-r--r-- 0/0 data.tar.xz',
    ]);
    expect(run('ar', ['p', debPath, 'debian-binary'])).toBe('2.0\n');
  });

  it('is read back by dpkg-deb --field exactly as laid out', () => {
    expect(run('dpkg-deb', ['--field', debPath])).toBe(layout.control);
    expect(run('dpkg-deb', ['--field', debPath, 'Installed-Size']).trim()).toBe(String(layout.installedSize));
    expect(run('dpkg-deb', ['--info', debPath])).toMatch(/new Debian package, version 2\.0\./);
  });

  it('is read back by readDebControl', async () => {
    const read = await readDebControl(debPath);
    expect(read.ok && read.value).toEqual({ members: ['debian-binary', 'control.tar.xz', 'data.tar.xz'], control: layout.control });
  });

  it('lists every data entry in layout order, root:root, with normalised modes (dpkg-deb --contents)', () => {
    const lines = run('dpkg-deb', ['--contents', debPath]).trimEnd().split('\n');
    const listed = lines.map((l) => {
      const [perm = '', owner = '', , , , name = ''] = l.split(/\s+/);
      return [perm, owner, name];
    });
    const typeChar = { file: '-', directory: 'd', symlink: 'l' } as const;
    expect(listed).toEqual(layout.dataEntries.map((e) => [
      typeChar[e.type] + (e.type === 'symlink' ? 'rwxrwxrwx' : e.mode === 0o755 ? 'rwxr-xr-x' : 'rw-r--r--'), 'root/root', e.name,
    ]));
    expect(lines.every((l) => l.includes('2023-11-14 22:13'))).toBe(true);
  });

  it('unpacks with dpkg -x to the same bytes, modes and links', () => {
    const out = join(dir, 'x');
    run('dpkg', ['-x', debPath, out]);
    expect(readFileSync(join(out, 'usr/bin/stubforge-demo'), 'utf8')).toBe('#!/bin/sh\necho demo\n');
    expect(lstatSync(join(out, 'usr/bin/stubforge-demo')).mode & 0o777).toBe(0o755);
    expect(readlinkSync(join(out, 'usr/bin/demo'))).toBe('stubforge-demo');
    expect(readFileSync(join(out, LONG_FILE), 'utf8')).toBe('x'.repeat(3000));
    expect(lstatSync(join(out, 'var/lib/stubforge-demo')).isDirectory()).toBe(true);
  });

  it('installs with dpkg --root, whose own tar reader takes a 248-byte ustar prefix + name path', () => {
    const root = join(dir, 'root');
    mkdirSync(join(root, 'var/lib/dpkg/info'), { recursive: true });
    mkdirSync(join(root, 'var/lib/dpkg/updates'), { recursive: true });
    writeFileSync(join(root, 'var/lib/dpkg/status'), '');
    const r = spawnSync('dpkg', ['--root', root, '--force-not-root', '--force-script-chrootless', '--log=/dev/null', '-i', debPath], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(join(root, 'var/lib/dpkg/info/stubforge-demo.conffiles'), 'utf8')).toBe('/etc/stubforge-demo.conf\n');
    expect(readFileSync(join(root, 'var/lib/dpkg/info/stubforge-demo.list'), 'utf8')).toContain(`/${LONG_FILE}\n`);
    expect(run('dpkg', ['--root', root, '--verify', 'stubforge-demo'])).toBe('');
  });

  it('computes the Installed-Size dpkg-gencontrol computes over the same tree with DEBIAN/conffiles', () => {
    const work = join(dir, 'gencontrol');
    const tree = join(work, 'debian/stubforge-demo');
    mkdirSync(join(work, 'debian'), { recursive: true });
    run('dpkg', ['-x', debPath, tree]);
    mkdirSync(join(tree, 'DEBIAN'));
    writeFileSync(join(tree, 'DEBIAN/conffiles'), '/etc/stubforge-demo.conf\n');
    writeFileSync(join(work, 'debian/control'), `Source: demo\nMaintainer: ${MAINTAINER}\n\nPackage: stubforge-demo\nArchitecture: all\nDescription: d\n`);
    writeFileSync(join(work, 'debian/changelog'), `demo (1:2.0-1) unstable; urgency=medium\n\n  * Test.\n\n -- ${MAINTAINER}  Tue, 14 Nov 2023 22:13:20 +0000\n`);
    const out = run('dpkg-gencontrol', ['-pstubforge-demo', `-P${tree}`, '-O'], work);
    expect(out).toContain(`Installed-Size: ${layout.installedSize}\n`);
  });
});

describe('writeDeb failures', () => {
  it.each([
    ['source-changed', (file: string) => { writeFileSync(file, 'changed after describeTree\n'); }],
    ['io-error', (file: string) => { rmSync(file); }],
  ] as const)('reports %s for a described file that changed, leaving no output or temporary file', async (reason, change) => {
    const tree = join(dir, `changing-${reason}`);
    mkdirSync(join(tree, 'usr/share/demo'), { recursive: true });
    writeFileSync(join(tree, 'usr/share/demo/data'), 'original\n');
    const described = await describeTree(tree);
    if (!described.ok) throw new Error(describeTreeError(described.error));
    const r = buildDebLayout({ ...demo, files: described.value, conffiles: [] });
    if (!r.ok) throw new Error(describeDebLayoutError(r.error));
    change(join(tree, 'usr/share/demo/data'));
    const outDir = join(dir, `out-${reason}`);
    mkdirSync(outDir);
    const written = await writeDeb(r.value, join(outDir, 'x.deb'));
    expect(written.ok ? 'ok' : written.error.reason).toBe(reason);
    expect(readdirSync(outDir)).toEqual([]);
  });
});

describe('a -cross package from a real musl static library', () => {
  it('passes lintian with only the overrides it ships, each with its reason', async () => {
    const staged = stageLibrary(dir, 'demo');
    const [pkg] = await crossPackagesFor(staged, 'demo', 'b'.repeat(64), {
      dependencies: [{ binary: 'zlib1g-dev', version: '1:1.2.13.dfsg-1' }],
      note: 'built from the orig tarball alone: the diff is missing on the mirror',
    });
    if (pkg === undefined) throw new Error('no package');
    const deb = join(dir, pkg.layout.filename);
    const written = await writeDeb(pkg.layout, deb);
    expect(written.ok).toBe(true);
    expect(run('dpkg-deb', ['--field', deb, 'Package', 'Depends', 'X-Stubforge-Arch'])).toBe([
      `Package: libdemo-dev-${ARCH}-cross`,
      `Depends: zlib1g-dev-${ARCH}-cross (= 1:1.2.13.dfsg-1)`,
      `X-Stubforge-Arch: ${ARCH}`, '',
    ].join('\n'));
    expect(run('dpkg-deb', ['--contents', deb])).toContain(`./usr/${TRIPLET}/lib/libdemo.a`);
    const r = spawnSync('lintian', ['--display-info', '--show-overrides', '--tag-display-limit', '0', deb], { encoding: 'utf8' });
    const tags = r.stdout.split('\n').filter((l) => /^[EWIO]: /.test(l)).map((l) => l.replace(/^(\w): [^:]+: (\S+).*$/, '$1 $2'));
    expect(tags.filter((t) => t.startsWith('E ') || t.startsWith('W '))).toEqual([]);
    expect([...new Set(tags.filter((t) => t.startsWith('O ')))].sort()).toEqual([
      'O arch-independent-package-contains-binary-or-object', 'O no-changelog', 'O non-standard-dir-in-usr', 'O unknown-field',
    ]);
    // Info tags left: .comment sections gcc leaves in a static library; nothing packaging-related.
    expect([...new Set(tags.filter((t) => t.startsWith('I ')))]).toEqual(['I static-library-has-unneeded-sections']);
  });
});
