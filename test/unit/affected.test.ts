import { describe, expect, it } from 'vitest';
import {
  affectedSet, currentLibraries, parseUpdateArg, rebuildTargets, updatesFromSuite,
  type BuiltApplication, type BuiltLibrary, type ProvenanceGraph,
} from '../../src/plan/affected.js';
import { describeAffectedError } from '../../src/cli/affected-messages.js';

// In-memory provenance shaped like the QEMU stubdom closure for two partial arches, with the
// real bookworm versions; keys are short labels.
const ARCH = 'musl-linux-amd64';

function lib(source: string, version: string, binaries: string[], depends: [string, string][] = [], extra: Partial<BuiltLibrary> = {}): BuiltLibrary {
  const arch = extra.arch ?? ARCH;
  return {
    key: extra.key ?? `${source}-${arch}`, source, sourceVersion: version, arch,
    packages: binaries.map((b) => ({ name: `${b}-${arch}-cross`, version })),
    depends: depends.map(([b, v]) => ({ name: `${b}-${arch}-cross`, version: v })),
    publishedAt: extra.publishedAt ?? '2026-11-21T10:00:00.000Z',
  };
}

const ZLIB = '1:1.2.13.dfsg-1';
const closure = (arch: string): BuiltLibrary[] => [
  lib('zlib', ZLIB, ['zlib1g-dev'], [], { arch }),
  lib('libffi', '3.4.4-1', ['libffi-dev'], [], { arch }),
  lib('pcre2', '10.42-1', ['libpcre2-dev'], [], { arch }),
  lib('glib2.0', '2.74.6-2+deb12u9', ['libglib2.0-dev'], [['zlib1g-dev', ZLIB], ['libffi-dev', '3.4.4-1'], ['libpcre2-dev', '10.42-1']], { arch }),
  lib('pixman', '0.42.2-1', ['libpixman-1-dev'], [], { arch }),
  lib('xen', '4.17.5+72-g01140da4e8-1', ['libxen-dev'], [], { arch }),
];

const qemu = (arch: string, embeds: [string, string][]): BuiltApplication => ({
  package: 'qemu-system-xen-stubdom', version: '1:7.2+dfsg-7+deb12u18', arch, source: 'qemu', sourceVersion: '1:7.2+dfsg-7+deb12u18',
  target: 'qemu-stubdom', embeds: embeds.map(([source, version]) => ({ source, version })), origin: 'output/pool/qemu.deb',
});

const QEMU_EMBEDS: [string, string][] = [['glib2.0', '2.74.6-2+deb12u9'], ['musl', '1.2.3-1'], ['pcre2', '10.42-1'], ['pixman', '0.42.2-1'], ['xen', '4.17.5+72-g01140da4e8-1'], ['zlib', ZLIB]];
const graph: ProvenanceGraph = { libraries: [...closure(ARCH), ...closure('rumprun-amd64')], applications: [qemu(ARCH, QEMU_EMBEDS)] };

const names = (set: { libraries: readonly { library: BuiltLibrary }[] }): string[] => set.libraries.map((a) => `${a.library.arch} ${a.library.source}`);

describe('affectedSet', () => {
  it('rebuilds only the reverse closure of an updated source', () => {
    const set = affectedSet(graph, [{ source: 'zlib', version: '1:1.3.dfsg+really1.3.1-1' }]);
    if (!set.ok) throw new Error(JSON.stringify(set.error));
    expect(names(set.value)).toEqual([
      'musl-linux-amd64 zlib', 'musl-linux-amd64 glib2.0', 'rumprun-amd64 zlib', 'rumprun-amd64 glib2.0',
    ]);
    expect(set.value.libraries[1]?.because).toEqual({ kind: 'depends', on: 'zlib', package: 'zlib1g-dev-musl-linux-amd64-cross' });
    expect(set.value.applications.map((a) => [a.application.package, a.because.map((b) => b.source)])).toEqual([
      ['qemu-system-xen-stubdom', ['glib2.0', 'zlib']],
    ]);
    expect(set.value.unaffected.map((l) => `${l.arch} ${l.source}`)).toEqual([
      'musl-linux-amd64 libffi', 'musl-linux-amd64 pcre2', 'musl-linux-amd64 pixman', 'musl-linux-amd64 xen',
      'rumprun-amd64 libffi', 'rumprun-amd64 pcre2', 'rumprun-amd64 pixman', 'rumprun-amd64 xen',
    ]);
  });

  it.each([
    ['a leaf nothing depends on', 'pixman', '0.42.2-1+deb12u1', ['pixman']],
    ['a library under glib', 'pcre2', '10.42-1+deb12u1', ['pcre2', 'glib2.0']],
    ['glib itself', 'glib2.0', '2.74.6-2+deb12u10', ['glib2.0']],
  ])('for %s (%s) affects exactly %j per arch', (_what, source, version, expected) => {
    const set = affectedSet({ libraries: closure(ARCH), applications: [] }, [{ source, version }]);
    if (!set.ok) throw new Error(JSON.stringify(set.error));
    expect(set.value.libraries.map((a) => a.library.source)).toEqual(expected);
  });

  it('marks an application that embeds an updated toolchain source even with no library build of it', () => {
    const set = affectedSet(graph, [{ source: 'musl', version: '1.2.3-1+deb12u1' }]);
    if (!set.ok) throw new Error(JSON.stringify(set.error));
    expect(set.value.libraries).toEqual([]);
    expect(set.value.applications[0]?.because).toEqual([{ source: 'musl', version: '1.2.3-1' }]);
  });

  it.each([
    ['a source nothing embeds', 'openssl', '3.0.20-1', 'not-built', /^no recorded build embeds openssl: nothing to rebuild$/],
    ['an older version than the one built', 'zlib', '1:1.2.11.dfsg-4', 'downgrade',
      /^zlib 1:1\.2\.13\.dfsg-1 is built for musl-linux-amd64, newer than 1:1\.2\.11\.dfsg-4: a rebuild never downgrades$/],
    ['an invalid version', 'zlib', 'x1', 'invalid-version', /^zlib: invalid version "x1": \S/],
  ])('refuses %s, and rebuild says so as it always did', (_what, source, version, reason, message) => {
    const set = affectedSet(graph, [{ source, version }]);
    expect(set.ok ? 'ok' : set.error.reason).toBe(reason);
    if (!set.ok) expect(describeAffectedError(set.error)).toMatch(message);
  });

  it('refuses a source updated twice', () => {
    const set = affectedSet(graph, [{ source: 'zlib', version: '1:1.3-1' }, { source: 'zlib', version: '1:1.3-2' }]);
    expect(set.ok ? 'ok' : describeAffectedError(set.error)).toBe('zlib is updated twice');
  });

  it('says when every build already has the update', () => {
    const set = affectedSet({ libraries: closure(ARCH), applications: [] }, [{ source: 'zlib', version: ZLIB }]);
    if (!set.ok) throw new Error(JSON.stringify(set.error));
    expect(set.value.libraries).toEqual([]);
    expect(set.value.alreadyCurrent.map((a) => a.update.source)).toEqual(['zlib']);
  });

  it('follows only the current build: the one made after a rebuild, not the key it replaced', () => {
    const old = closure(ARCH);
    const rebuiltZlib = lib('zlib', '1:1.3.dfsg+really1.3.1-1', ['zlib1g-dev'], [], { key: 'zlib-new', publishedAt: '2026-11-22T00:00:00.000Z' });
    const rebuiltGlib = lib('glib2.0', '2.74.6-2+deb12u9', ['libglib2.0-dev'],
      [['zlib1g-dev', '1:1.3.dfsg+really1.3.1-1'], ['libffi-dev', '3.4.4-1'], ['libpcre2-dev', '10.42-1']], { key: 'glib-new', publishedAt: '2026-11-22T00:00:01.000Z' });
    const current = currentLibraries([...old, rebuiltZlib, rebuiltGlib]);
    if (!current.ok) throw new Error('unexpected');
    expect(current.value.map((l) => l.key).sort()).toEqual(['glib-new', 'libffi-musl-linux-amd64', 'pcre2-musl-linux-amd64', 'pixman-musl-linux-amd64', 'xen-musl-linux-amd64', 'zlib-new']);
    const set = affectedSet({ libraries: [...old, rebuiltZlib, rebuiltGlib], applications: [] }, [{ source: 'libffi', version: '3.4.4-1+deb12u1' }]);
    if (!set.ok) throw new Error(JSON.stringify(set.error));
    expect(set.value.libraries.map((a) => a.library.key)).toEqual(['libffi-musl-linux-amd64', 'glib-new']);
  });
});

describe('rebuildTargets', () => {
  const set = affectedSet(graph, [{ source: 'zlib', version: '1:1.3.dfsg+really1.3.1-1' }]);
  if (!set.ok) throw new Error(JSON.stringify(set.error));

  it('builds the recorded application where there is one, the top affected libraries elsewhere', () => {
    expect(rebuildTargets(set.value)).toEqual([
      { arch: ARCH, target: 'qemu-stubdom', kind: 'application' },
      { arch: 'rumprun-amd64', target: 'glib2.0', kind: 'library' },
    ]);
  });
});

describe('updatesFromSuite', () => {
  it('takes the newest version a suite has of each built source, when it is newer', () => {
    const updates = updatesFromSuite(closure(ARCH), [
      { source: 'zlib', version: ZLIB }, { source: 'glib2.0', version: '2.74.6-2+deb12u10' },
      { source: 'glib2.0', version: '2.74.6-2+deb12u9' }, { source: 'openssl', version: '3.0.20-1' }, { source: 'pcre2', version: '10.40-1' },
    ]);
    expect(updates).toEqual({ ok: true, value: [{ source: 'glib2.0', version: '2.74.6-2+deb12u10' }] });
  });
});

describe('parseUpdateArg', () => {
  it.each([
    ['zlib=1:1.3.dfsg+really1.3.1-1', { ok: true, value: { source: 'zlib', version: '1:1.3.dfsg+really1.3.1-1' } }],
    ['zlib', { ok: false }],
    ['zlib=', { ok: false }],
    ['zlib=:1', { ok: false }],
  ])('%s', (text, expected) => {
    expect(parseUpdateArg(text)).toMatchObject(expected);
  });
});
