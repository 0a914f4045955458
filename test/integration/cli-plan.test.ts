// plan, why and check-archive as a user runs them, against the real mirror of this machine's apt
// configuration and a fresh cache. The command modules are run directly with their own streams
// (main.ts registers them); arch and recipe folders are given explicitly because the TypeScript
// sources are not laid out like the installed package.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { command as checkArchive } from '../../src/cli/commands/check-archive.js';
import { command as plan } from '../../src/cli/commands/plan.js';
import { command as served } from '../../src/cli/commands/served.js';
import { command as why } from '../../src/cli/commands/why.js';
import type { CliCommand } from '../../src/cli/command.js';
import { openTestArchive, requireServed } from './archive-versions.js';
import { runCommand, type CommandResult } from './cli-support.js';

const ROOT = join(import.meta.dirname, '../..');
const home = mkdtempSync(join(tmpdir(), 'stubforge-plan-'));
const DIRS = ['--arch-dir', join(ROOT, 'arch'), '--recipe-dir', join(ROOT, 'recipes')];

afterAll(() => rmSync(home, { recursive: true, force: true }));

async function stubforge(cmd: CliCommand, ...args: string[]): Promise<CommandResult> {
  return runCommand(cmd, [...args, ...DIRS], { env: { ...process.env, STUBFORGE_HOME: home }, cwd: home });
}

const sourcesOf = (text: string): string[] => [...text.matchAll(/^ {2}\d+ +(\S+) +\S+ +\S+ +target/gm)].map((m) => m[1] ?? '').sort();

describe('stubforge plan', () => {
  it('lists the real closure of qemu-stubdom for musl-linux-amd64', async () => {
    const { code, stdout } = await stubforge(plan, 'qemu-stubdom', '--arch', 'musl-linux-amd64');
    expect(code).toBe(0);
    expect(sourcesOf(stdout)).toEqual(['glib2.0', 'libffi', 'pcre2', 'pixman', 'qemu', 'xen', 'zlib']);
    expect(stdout).toContain('suites: bookworm, bookworm-updates, bookworm-security');
    expect(stdout).toMatch(/^ {2}meson +\S+ +bookworm +← qemu: meson/m);
    expect(stdout).toMatch(/ (unknown|yes|no) +qemu: libxen-dev$/m);
  }, 300_000);

  it('gives rumprun-amd64 the same sources', async () => {
    const musl = await stubforge(plan, 'qemu-stubdom', '--arch', 'musl-linux-amd64', '--format', 'json');
    const rump = await stubforge(plan, 'qemu-stubdom', '--arch', 'rumprun-amd64', '--format', 'json');
    const nodes = (s: string): string[] => (JSON.parse(s) as { nodes: { source: string; version: string }[] }).nodes.map((n) => `${n.source} ${n.version}`);
    expect(rump.code).toBe(0);
    expect(nodes(rump.stdout)).toEqual(nodes(musl.stdout));
  }, 300_000);

  it('keeps to pinned versions (the ones whose files the mirror serves, looked up first)', async () => {
    // The pins are the newest xen and pcre2 of the default suites that the mirror serves whole, read
    // from the archive now; xen's is the oldest version there when that is the one served.
    const suites = ['bookworm', 'bookworm-updates', 'bookworm-security'];
    const { archive, probe } = await openTestArchive(suites);
    const xen = await requireServed(archive, 'xen', suites, probe);
    const pcre2 = await requireServed(archive, 'pcre2', suites, probe);
    const { code, stdout } = await stubforge(plan, 'qemu-stubdom', '--pin', `xen=${xen.version}`, '--pin', `pcre2=${pcre2.version}`, '--format', 'json');
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as { nodes: { source: string; version: string; suite: string }[] };
    expect(doc.nodes.find((n) => n.source === 'xen')).toMatchObject({ version: xen.version, suite: xen.suite });
    expect(doc.nodes.find((n) => n.source === 'pcre2')).toMatchObject({ version: pcre2.version, suite: pcre2.suite });
  }, 300_000);

  it('served --target prints a --pin only of versions the mirror serves whole, and the plan takes them', async () => {
    const { code, stdout, stderr } = await stubforge(served, '--target', 'qemu-stubdom', '--allow-orig-only', 'pixman', '--format', 'args');
    expect(code, stderr).toBe(0);
    const words = stdout.split('\n').filter((w) => w !== '');
    const pins = words.flatMap((w, i) => (words[i - 1] === '--pin' ? [w] : []));
    // Each pin is checked against the mirror again here, and each reason is on stderr.
    const suites = ['bookworm', 'bookworm-updates', 'bookworm-security'];
    const { archive, probe } = await openTestArchive(suites);
    for (const pin of pins) {
      const [name = '', version] = pin.split('=');
      expect((await requireServed(archive, name, suites, probe)).version).toBe(version);
      expect(stderr).toContain(`--pin ${pin}`);
    }
    const planned = await stubforge(plan, 'qemu-stubdom', ...words, '--format', 'json');
    expect(planned.code, planned.stderr).toBe(0);
    const nodes = (JSON.parse(planned.stdout) as { nodes: { source: string; version: string }[] }).nodes;
    for (const pin of pins) expect(nodes.map((n) => `${n.source}=${n.version}`)).toContain(pin);
  }, 300_000);

  it('prints cache keys for a build image digest and a dot graph', async () => {
    const keyed = await stubforge(plan, 'qemu-stubdom', '--image-digest', `sha256:${'0'.repeat(64)}`);
    expect(keyed.stdout).toMatch(/^ {2}zlib +[0-9a-f]{64}$/m);
    // The builder the keys name: the build code, and for musl a toolchain that is in the image.
    expect(keyed.stdout).toMatch(/^ {2}builder code: [0-9a-f]{64}$/m);
    expect(keyed.stdout).toContain('  toolchain: in the build image\n');
    const dot = await stubforge(plan, 'qemu-stubdom', '--format', 'dot');
    expect(dot.stdout).toMatch(/^digraph /);
  }, 300_000);

  it('exits 3 with the problem when a pin leaves nothing to build', async () => {
    const { code, stderr } = await stubforge(plan, 'qemu-stubdom', '--pin', 'zlib=0.0-0');
    expect(code).toBe(3);
    expect(stderr).toContain('unsatisfiable: qemu Build-Depends: zlib1g-dev');
    expect(stderr).toContain('pinned-out');
  }, 300_000);

  it('exits 2 for an arch it does not know', async () => {
    const { code, stderr } = await stubforge(plan, 'qemu-stubdom', '--arch', 'sparc-rumprun');
    expect(code).toBe(2);
    expect(stderr).toContain('no arch file "sparc-rumprun"');
  });
});

describe('stubforge plan with build profiles chosen per source', () => {
  it('gives libxml2 a small closure: the profiles named, no python, no systemd', async () => {
    const { code, stdout } = await stubforge(plan, 'libxml2', '--arch', 'musl-linux-amd64', '--suite', 'bookworm', '--format', 'json');
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as { nodes: { source: string; profiles: string[]; chosenProfiles: { profile: string; dropped: { text: string }[] }[] }[] };
    const sources = doc.nodes.map((n) => n.source);
    expect(sources).toContain('libxml2');
    expect(sources.length).toBeLessThanOrEqual(6);
    expect(sources.filter((s) => /python|systemd|bluez/.test(s))).toEqual([]);
    const libxml2 = doc.nodes.find((n) => n.source === 'libxml2');
    expect(libxml2?.profiles).toContain('nopython');
    expect(libxml2?.chosenProfiles.find((c) => c.profile === 'nopython')?.dropped.map((d) => d.text)).toContain('libpython3-all-dev <!nopython>');
    const text = await stubforge(plan, 'libxml2', '--arch', 'musl-linux-amd64', '--suite', 'bookworm');
    expect(text.stdout).toMatch(/^ {2}libxml2: .*nopython/m);
  }, 300_000);
});

describe('stubforge why', () => {
  it('explains pcre2 with the chain from the target', async () => {
    const { code, stdout } = await stubforge(why, 'qemu-stubdom', 'pcre2');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^pcre2 \S+ is rebuilt for the partial arch \(target\):$/m);
    expect(stdout).toContain('qemu Add-Build-Depends: libglib2.0-dev (>= 2.56) → target glib2.0');
    expect(stdout).toContain('glib2.0 Depends of libglib2.0-dev: libpcre2-dev → target pcre2');
  }, 300_000);

  it('explains a dropped relation with its reason', async () => {
    const { code, stdout } = await stubforge(why, 'qemu-stubdom', 'libfdt-dev');
    expect(code).toBe(0);
    expect(stdout).toContain('qemu Build-Depends: libfdt-dev (>> 1.5.0-2~) → dropped — recipe: a Xen device model never builds a device tree');
  }, 300_000);

  it('exits 1 for a name the closure never meets', async () => {
    expect((await stubforge(why, 'qemu-stubdom', 'libreoffice')).code).toBe(1);
  }, 300_000);
});

describe('stubforge check-archive', () => {
  it('checks the sources asked for and writes the JSON report', async () => {
    const report = join(home, 'report.json');
    const { code, stdout } = await stubforge(checkArchive, '--source', 'zlib', '--source', 'fftw3', '--source', 'cubature', '--json', report);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^ {2}ok +1 /m);
    expect(stdout).toMatch(/^ {2}unsatisfiable +1 /m);
    expect(stdout).toMatch(/^ {2}blocked +1 /m);
    const doc = JSON.parse(readFileSync(report, 'utf8')) as { sources: { source: string; status: string }[] };
    expect(doc.sources.map((s) => `${s.source}:${s.status}`)).toEqual(['cubature:blocked', 'fftw3:unsatisfiable', 'zlib:ok']);
  }, 300_000);

  it('checks a full architecture with the profiles given, and refuses --profiles for a partial arch', async () => {
    const full = await stubforge(checkArchive, '--arch', 'amd64', '--profiles', 'nocheck,nodoc', '--source', 'zlib', '--source', 'libxml2', '--suite', 'bookworm');
    expect(full.stdout).toContain('check-archive for amd64 over bookworm: 2 source packages');
    expect(full.stdout).toMatch(/^ {2}ok +2 /m);
    expect(full.code).toBe(0);
    const partial = await stubforge(checkArchive, '--arch', 'musl-linux-amd64', '--profiles', 'nocheck', '--source', 'zlib');
    expect(partial.code).toBe(2);
    expect(partial.stderr).toContain('--profiles applies to a full architecture only');
    const other = await stubforge(checkArchive, '--arch', 'arm64', '--source', 'zlib');
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('a full architecture is checked against the amd64 Packages indices');
  }, 300_000);
});
