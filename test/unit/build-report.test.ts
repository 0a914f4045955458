// The report `stubforge build --report FILE` writes, made from the executor's run report of the
// qemu-stubdom plan's shape, and read back the way batch and rebuild read it.
import { describe, expect, it } from 'vitest';
import { buildReportOf, parseBuildReport, BUILD_REPORT_FORMAT } from '../../src/executor/scheduler/build-report.js';
import type { NodeOutcome, RunReport } from '../../src/executor/scheduler/outcome.js';
import { describeSkip } from '../../src/executor/scheduler/summary.js';
import type { PublishedEntry } from '../../src/cache/apt-index.js';
import type { CacheKey, Sha256Hex } from '../../src/model/brand.js';
import { qemuPlan } from './executor-plans.js';

const plan = qemuPlan();
const node = (source: string): NodeOutcome['node'] => {
  const found = plan.nodes.find((n) => n.source === source);
  if (found === undefined) throw new Error(`no ${source} in the plan`);
  return found;
};
const key = (source: string): CacheKey => `${source}-key` as CacheKey;
/** An entry with no packages: what the summary and the report read of a cached or built node is its status and key. */
const entryOf = (k: CacheKey): PublishedEntry => ({
  key: k, publishedAt: '2026-12-03T00:00:00.000Z', debs: [], meta: { source: 'x', sourceVersion: '1', arch: 'musl-linux-amd64', recipeSha256: 'a'.repeat(64) as Sha256Hex },
});

const run: RunReport = {
  outcomes: [
    { node: node('zlib'), status: 'cached', key: key('zlib'), entry: entryOf(key('zlib')), durationMs: 0 },
    {
      node: node('pcre2'), status: 'built', key: key('pcre2'), entry: entryOf(key('pcre2')), durationMs: 21_734.6, startMs: 3.2, endMs: 21_737.8,
      logFile: '/logs/pcre2.log', timing: { stepMs: 21_700 },
    },
    { node: node('glib2.0'), status: 'failed', key: key('glib2.0'), durationMs: 1_200.2, logFile: '/logs/glib2.0.log', failure: { reason: 'packaging', error: { part: 'copyright', file: 'recipes/glib2.0', detail: 'no .pc file' } } },
    { node: node('qemu'), status: 'skipped', durationMs: 0, because: { kind: 'dependency', failed: 'glib2.0' } },
  ],
  excluded: [], makespanMs: 23_001.4, interrupted: false, stoppedAfter: 'glib2.0',
};

const report = buildReportOf({
  target: 'qemu-stubdom', arch: 'musl-linux-amd64', exitCode: 1, jobs: 2, run,
  describeFailure: (f) => (f.reason === 'packaging' && f.error.part === 'copyright' ? `packaging: ${f.error.detail}` : f.reason),
  describeSkip: (o) => (o.status === 'skipped' ? describeSkip(o.because) : o.status === 'not-built' ? o.notBuilt : undefined),
});

describe('buildReportOf', () => {
  it('says what each node came to, in plan order, with its version, key, time and log', () => {
    expect(report).toEqual({
      format: BUILD_REPORT_FORMAT, target: 'qemu-stubdom', arch: 'musl-linux-amd64', exitCode: 1, interrupted: false, makespanMs: 23_001, jobs: 2,
      nodes: [
        { source: 'zlib', version: '1:1.2.13.dfsg-1', kind: 'library', depends: [], status: 'cached', key: 'zlib-key' },
        { source: 'pcre2', version: '10.42-1', kind: 'library', depends: [], status: 'built', key: 'pcre2-key', durationMs: 21_735, startMs: 3, endMs: 21_738, log: '/logs/pcre2.log' },
        { source: 'glib2.0', version: node('glib2.0').version, kind: 'library', depends: ['libffi', 'pcre2', 'zlib'], status: 'failed', key: 'glib2.0-key', durationMs: 1_200, log: '/logs/glib2.0.log', failure: 'packaging: no .pc file' },
        { source: 'qemu', version: node('qemu').version, kind: 'application', depends: ['glib2.0', 'pixman', 'xen', 'zlib'], status: 'skipped', reason: 'needs glib2.0, which was not built' },
      ],
    });
  });
});

describe('parseBuildReport', () => {
  it('reads back what was written', () => {
    expect(parseBuildReport(JSON.stringify(report), 'r.json')).toEqual({ ok: true, value: report });
  });

  it.each([
    ['text that is not JSON', '{"format":', /^r\.json: not JSON/],
    ['another format', JSON.stringify({ ...report, format: 'stubforge-batch-report 1' }), /^r\.json: not a stubforge-build-report 1$/],
    ['no nodes', JSON.stringify({ ...report, nodes: undefined }), /^r\.json: no nodes$/],
    ['a node with an unknown status', JSON.stringify({ ...report, nodes: [{ source: 'zlib', status: 'half-built' }] }), /^r\.json: node 1 is not a node record$/],
  ])('refuses %s, naming the file', (_what, text, message) => {
    const parsed = parseBuildReport(text, 'r.json');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(message);
  });
});
