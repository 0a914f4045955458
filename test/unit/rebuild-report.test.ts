import { describe, expect, it } from 'vitest';
import { checkRebuild } from '../../src/cli/commands/rebuild-report.js';
import type { NodeRecord } from '../../src/executor/batch-report.js';
import { affectedSet, type BuiltLibrary } from '../../src/plan/affected.js';

const ARCH = 'musl-linux-amd64';
const lib = (source: string, version: string, depends: string[] = []): BuiltLibrary => ({
  key: `k-${source}`, source, sourceVersion: version, arch: ARCH, packages: [{ name: `${source}-dev-${ARCH}-cross`, version }],
  depends: depends.map((d) => ({ name: `${d}-dev-${ARCH}-cross` })), publishedAt: '2026-11-21T00:00:00.000Z',
});
const graph = { libraries: [lib('zlib', '1:1.2.13.dfsg-1'), lib('libffi', '3.4.4-1'), lib('glib2.0', '2.74.6-2+deb12u9', ['zlib', 'libffi'])], applications: [] };
const set = (() => {
  const s = affectedSet(graph, [{ source: 'zlib', version: '1:1.3.dfsg+really1.3.1-1' }]);
  if (!s.ok) throw new Error(s.error.message);
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
