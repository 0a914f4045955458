// Plans for the executor's unit tests, in memory. `qemuPlan` has the shape `stubforge plan
// qemu-stubdom --arch musl-linux-amd64 --suite bookworm` printed on the project machine (sources,
// versions, dependencies, needed binaries, build order and critical-path priorities from the
// recipes' estimates); file lists and checksums are left out, the scheduler never reads them.
import type { Sha256Hex } from '../../src/model/brand.js';
import type { BuildPlan, PlanNode } from '../../src/plan/plan.js';

const ARCH_SHA = 'a'.repeat(64) as Sha256Hex;

export function planNode(source: string, over: Partial<PlanNode> = {}): PlanNode {
  return {
    source, version: '1.0-1', suite: 'bookworm', directory: `pool/main/${source[0] ?? 'x'}/${source}`, files: [],
    kind: 'library', depends: [], dependants: [], durationSeconds: 10, durationFrom: 'recipe', priority: 10, order: 1,
    why: [], neededBinaries: [`${source}-dev`], profiles: ['cross', 'nocheck'], chosenProfiles: [], ...over,
  };
}

export function plan(nodes: readonly PlanNode[], target = 'test-target'): BuildPlan {
  return {
    target, root: target, arch: 'musl-linux-amd64', triplet: 'x86_64-linux-musl', archSha256: ARCH_SHA, archProfiles: ['cross', 'nocheck'],
    nodes: nodes.map((n, i) => ({ ...n, order: i + 1 })),
    criticalPath: { sources: [], seconds: 0 }, natives: [], toolchainPackages: [], imagePackages: [], dropped: [], edges: [], warnings: [],
  };
}

/** [source, version, depends, priority, estimated seconds, kind] in the printed build order. */
const QEMU_ROWS: readonly (readonly [string, string, readonly string[], number, number, 'library' | 'application'])[] = [
  ['pcre2', '10.42-1', [], 240, 22, 'library'],
  ['libffi', '3.4.4-1', [], 231, 13, 'library'],
  ['zlib', '1:1.2.13.dfsg-1', [], 223, 5, 'library'],
  ['glib2.0', '2.74.6-2+deb12u9', ['libffi', 'pcre2', 'zlib'], 218, 48, 'library'],
  ['pixman', '0.42.2-1', [], 188, 18, 'library'],
  ['xen', '4.17.5+72-g01140da4e8-1', [], 177, 7, 'library'],
  ['qemu', '1:7.2+dfsg-7+deb12u18', ['glib2.0', 'pixman', 'xen', 'zlib'], 170, 170, 'application'],
];

export function qemuPlan(): BuildPlan {
  const dependants = (source: string): string[] => QEMU_ROWS.filter((r) => r[2].includes(source)).map((r) => r[0]).sort();
  const p = plan(QEMU_ROWS.map(([source, version, depends, priority, seconds, kind]) => planNode(source, {
    version, depends, priority, durationSeconds: seconds, kind, dependants: dependants(source),
    neededBinaries: kind === 'application' ? [] : [`${source}-dev`],
  })), 'qemu-stubdom');
  return { ...p, root: 'qemu', criticalPath: { sources: ['pcre2', 'glib2.0', 'qemu'], seconds: 240 } };
}
