import { describe, expect, it } from 'vitest';
import { checkRebuild, formatAffected, type PlannedTarget } from '../../src/cli/commands/rebuild-report.js';
import type { NodeRecord } from '../../src/executor/batch/batch-report.js';
import { affectedSet, type BuiltLibrary } from '../../src/plan/affected.js';

const ARCH = 'musl-linux-amd64';
const lib = (source: string, version: string, depends: string[] = []): BuiltLibrary => ({
  key: `k-${source}`, source, sourceVersion: version, arch: ARCH, packages: [{ name: `${source}-dev-${ARCH}-cross`, version }],
  depends: depends.map((d) => ({ name: `${d}-dev-${ARCH}-cross` })), publishedAt: '2026-11-21T00:00:00.000Z',
});
const graph = { libraries: [lib('zlib', '1:1.2.13.dfsg-1'), lib('libffi', '3.4.4-1'), lib('glib2.0', '2.74.6-2+deb12u9', ['zlib', 'libffi'])], applications: [] };
const set = (() => {
  const s = affectedSet(graph, [{ source: 'zlib', version: '1:1.3.dfsg+really1.3.1-1' }]);
  if (!s.ok) throw new Error(JSON.stringify(s.error));
  return s.value;
})();
const node = (source: string, status: NodeRecord['status']): NodeRecord => ({ source, status });

describe('checkRebuild', () => {
  it.each([
    ['exactly the affected set rebuilt', [node('zlib', 'built'), node('libffi', 'cached'), node('glib2.0', 'built')], { rebuilt: ['zlib', 'glib2.0'], cacheHits: ['libffi'], unexpected: [], notRebuilt: [] }],
    ['a node outside the set rebuilt (its key changed: build image)', [node('zlib', 'built'), node('libffi', 'built'), node('glib2.0', 'built')], { rebuilt: ['zlib', 'libffi', 'glib2.0'], cacheHits: [], unexpected: ['libffi'], notRebuilt: [] }],
    ['an affected node already in the cache with the update', [node('zlib', 'cached'), node('libffi', 'cached'), node('glib2.0', 'built')], { rebuilt: ['glib2.0'], cacheHits: ['zlib', 'libffi'], unexpected: [], notRebuilt: ['zlib'] }],
  ])('%s', (_what, nodes, expected) => {
    expect(checkRebuild(set, ARCH, nodes)).toEqual(expected);
  });
});

describe('formatAffected: each build, its options, and per source which version comes from where', () => {
  it('shows the recorded versions, the update and its suite, and the application\'s next version with what it sorts after', () => {
    const target: PlannedTarget = {
      arch: ARCH, target: 'qemu-stubdom', kind: 'application',
      inputs: {
        sources: [
          { source: 'qemu', version: '1:7.2+dfsg-7+deb12u18' },
          { source: 'zlib', version: '1:1.3.dfsg+really1.3.1-1+deb13u1', update: { from: ['1:1.2.13.dfsg-1'] } },
          { source: 'pixman', version: '0.42.2-1' },
        ],
        suites: ['bookworm', 'trixie'], suitesFrom: 'recorded', origOnly: ['pixman'],
      },
      located: [
        { source: 'qemu', version: '1:7.2+dfsg-7+deb12u18', suite: 'bookworm' },
        { source: 'zlib', version: '1:1.3.dfsg+really1.3.1-1+deb13u1', update: { from: ['1:1.2.13.dfsg-1'] }, suite: 'trixie' },
        { source: 'pixman', version: '0.42.2-1', suite: 'bookworm' },
      ],
      application: {
        package: 'qemu-system-xen-stubdom', oldVersion: '1:7.2+dfsg-7+deb12u18~stubforge1', newVersion: '1:7.2+dfsg-7+deb12u18~stubforge2',
        changelog: 'qemu (1:7.2+dfsg-7+deb12u18~stubforge2) bookworm; urgency=medium, binary-only=yes\n', after: { version: '1:7.2+dfsg-7+deb12u18~stubforge1', where: 'the local repository' },
      },
    };
    const lines = formatAffected(set, [target]).split('\n');
    const from = lines.indexOf('builds:');
    expect(lines.slice(from + 1, from + 8)).toEqual([
      '  stubforge build qemu-stubdom --arch musl-linux-amd64 --suite bookworm --suite trixie --allow-orig-only pixman ' +
        '--pin qemu=1:7.2+dfsg-7+deb12u18 --pin zlib=1:1.3.dfsg+really1.3.1-1+deb13u1 --pin pixman=0.42.2-1',
      '    suites: bookworm, trixie (the update)',
      '    qemu    1:7.2+dfsg-7+deb12u18             from bookworm, as recorded',
      '    zlib    1:1.3.dfsg+really1.3.1-1+deb13u1  from trixie, the update, was 1:1.2.13.dfsg-1',
      '    pixman  0.42.2-1                          from bookworm, as recorded',
      '    qemu-system-xen-stubdom: 1:7.2+dfsg-7+deb12u18~stubforge1 → 1:7.2+dfsg-7+deb12u18~stubforge2  (sorts after 1:7.2+dfsg-7+deb12u18~stubforge1: the local repository)',
      '    | qemu (1:7.2+dfsg-7+deb12u18~stubforge2) bookworm; urgency=medium, binary-only=yes',
    ]);
  });
});
