// What a rebuild target is built with (src/plan/rebuild-inputs.ts): the recorded build — the
// application's source version, its recorded library closure at the versions it was built with,
// the suites and orig-only choices recorded — with only the updated source changed, its suite read
// after the recorded ones. The graph is the main job's (qemu-stubdom on musl-linux-amd64) as the
// provenance records it.
import { describe, expect, it } from 'vitest';
import { affectedSet, type BuiltApplication, type BuiltLibrary, type ProvenanceGraph } from '../../src/plan/affected.js';
import { pinsOf, rebuildInputs, recordedClosure } from '../../src/plan/rebuild-inputs.js';
import { changed } from './changed.js';

const ARCH = 'musl-linux-amd64';
const OLD_ZLIB = '1:1.2.13.dfsg-1';
const NEW_ZLIB = '1:1.3.dfsg+really1.3.1-1+deb13u1';
const GLIB = '2.74.6-2+deb12u9';
const cross = (name: string): string => `${name}-${ARCH}-cross`;

function lib(source: string, version: string, binary: string, depends: [string, string][] = [], extra: Partial<BuiltLibrary> = {}): BuiltLibrary {
  return {
    key: `k-${source}-${version}`, source, sourceVersion: version, arch: ARCH, packages: [{ name: cross(binary), version }],
    depends: depends.map(([name, v]) => ({ name: cross(name), version: v })), publishedAt: '2026-12-03T10:00:00.000Z',
    suites: ['bookworm'], ...extra,
  };
}

const LIBS: BuiltLibrary[] = [
  lib('zlib', OLD_ZLIB, 'zlib1g-dev'),
  lib('libffi', '3.4.4-1', 'libffi-dev'),
  lib('pcre2', '10.42-1', 'libpcre2-dev'),
  lib('glib2.0', GLIB, 'libglib2.0-dev', [['zlib1g-dev', OLD_ZLIB], ['libffi-dev', '3.4.4-1'], ['libpcre2-dev', '10.42-1']]),
  lib('pixman', '0.42.2-1', 'libpixman-1-dev', [], { origOnly: true }),
  lib('xen', '4.17.5+72-g01140da4e8-1', 'libxen-dev', [['zlib1g-dev', OLD_ZLIB]]),
  // Built later for another target: newer, but not what the stub domain was built from.
  lib('glib2.0', '2.74.6-2+deb12u10', 'libglib2.0-dev', [['zlib1g-dev', OLD_ZLIB]], { publishedAt: '2026-12-03T11:00:00.000Z', suites: ['bookworm', 'bookworm-security'] }),
];

const APP: BuiltApplication = {
  package: 'qemu-system-xen-stubdom', version: '1:7.2+dfsg-7+deb12u18~stubforge1', arch: ARCH, source: 'qemu', sourceVersion: '1:7.2+dfsg-7+deb12u18',
  target: 'qemu-stubdom', origin: 'repo/Packages.xz:1', suites: ['bookworm'], maintainer: 'Debian QEMU Team <pkg-qemu-devel@lists.alioth.debian.org>',
  embeds: [
    { source: 'glib2.0', version: GLIB }, { source: 'musl', version: '1.2.3-1' }, { source: 'pixman', version: '0.42.2-1' },
    { source: 'xen', version: '4.17.5+72-g01140da4e8-1' }, { source: 'zlib', version: OLD_ZLIB },
  ],
};

const OPTIONS = { updateSuites: ['trixie'], fallbackSuites: ['bookworm', 'bookworm-updates', 'bookworm-security'] };

function setOf(graph: ProvenanceGraph) {
  const s = affectedSet(graph, [{ source: 'zlib', version: NEW_ZLIB }]);
  if (!s.ok) throw new Error(JSON.stringify(s.error));
  return s.value;
}

describe('recordedClosure', () => {
  it('walks the -cross Depends of what the application embeds, at the versions recorded', () => {
    const closure = recordedClosure({ libraries: LIBS, applications: [APP] }, ARCH, APP.embeds);
    expect(closure.map((l) => `${l.source} ${l.sourceVersion}`).sort()).toEqual([
      `glib2.0 ${GLIB}`, 'libffi 3.4.4-1', 'pcre2 10.42-1', 'pixman 0.42.2-1', 'xen 4.17.5+72-g01140da4e8-1', `zlib ${OLD_ZLIB}`,
    ]);
  });
});

describe('rebuildInputs', () => {
  const graph = { libraries: LIBS, applications: [APP] };
  const inputs = rebuildInputs(setOf(graph), graph, { arch: ARCH, target: 'qemu-stubdom', kind: 'application' }, OPTIONS);

  it('pins the application source and every recorded version, and only the update to its new version', () => {
    expect(Object.fromEntries(pinsOf(inputs))).toEqual({
      qemu: '1:7.2+dfsg-7+deb12u18', 'glib2.0': GLIB, musl: '1.2.3-1', pixman: '0.42.2-1', xen: '4.17.5+72-g01140da4e8-1',
      zlib: NEW_ZLIB, libffi: '3.4.4-1', pcre2: '10.42-1',
    });
    expect(inputs.sources.filter((s) => s.update !== undefined)).toEqual([{ source: 'zlib', version: NEW_ZLIB, update: { from: [OLD_ZLIB] } }]);
    expect(inputs.sources[0]).toEqual({ source: 'qemu', version: '1:7.2+dfsg-7+deb12u18' });
  });

  it('reads the recorded suites first (the build environment\'s), then where the update comes from', () => {
    expect(inputs.suites).toEqual(['bookworm', 'trixie']);
    expect(inputs.suitesFrom).toBe('recorded');
  });

  it('makes the recorded orig-only choices again', () => {
    expect(inputs.origOnly).toEqual(['pixman']);
  });

  it('falls back to the default suites when nothing recorded them', () => {
    const bare = { libraries: LIBS.map(({ suites: _s, ...l }) => l), applications: [changed(APP, { suites: undefined })] } as ProvenanceGraph;
    const fallback = rebuildInputs(setOf(bare), bare, { arch: ARCH, target: 'qemu-stubdom', kind: 'application' }, OPTIONS);
    expect(fallback.suites).toEqual(['bookworm', 'bookworm-updates', 'bookworm-security', 'trixie']);
    expect(fallback.suitesFrom).toBe('default');
  });

  it('after a rebuild that stopped before the application, pins the libraries already rebuilt and says what the application embedded', () => {
    const rebuiltZlib = lib('zlib', NEW_ZLIB, 'zlib1g-dev', [], { publishedAt: '2026-12-03T12:00:00.000Z', suites: ['bookworm', 'trixie'] });
    const rebuiltGlib = lib('glib2.0', GLIB, 'libglib2.0-dev', [['zlib1g-dev', NEW_ZLIB], ['libffi-dev', '3.4.4-1'], ['libpcre2-dev', '10.42-1']], { key: 'k-glib-b1', publishedAt: '2026-12-03T12:10:00.000Z' });
    const again = { libraries: [...LIBS, rebuiltZlib, rebuiltGlib], applications: [APP] };
    const inputs2 = rebuildInputs(setOf(again), again, { arch: ARCH, target: 'qemu-stubdom', kind: 'application' }, OPTIONS);
    expect(inputs2.sources.find((x) => x.source === 'zlib')).toEqual({ source: 'zlib', version: NEW_ZLIB, update: { from: [OLD_ZLIB] } });
    expect(pinsOf(inputs2).get('glib2.0')).toBe(GLIB);
  });

  it('takes a library target\'s closure from its own build', () => {
    const libsOnly = { libraries: LIBS.slice(0, 4), applications: [] };
    const lib = rebuildInputs(setOf(libsOnly), libsOnly, { arch: ARCH, target: 'glib2.0', kind: 'library' }, { ...OPTIONS, updateSuites: ['bookworm', 'trixie'] });
    expect(Object.fromEntries(pinsOf(lib))).toEqual({ 'glib2.0': GLIB, zlib: NEW_ZLIB, libffi: '3.4.4-1', pcre2: '10.42-1' });
    expect(lib.suites).toEqual(['bookworm', 'trixie']);
    expect(lib.origOnly).toEqual([]);
  });
});
