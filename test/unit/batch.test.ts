import { describe, expect, it } from 'vitest';
import { parseBatchFile, type BatchEntry } from '../../src/executor/batch/batch-file.js';
import { BATCH_REPORT_FORMAT, resumeTargets, type BatchReport } from '../../src/executor/batch/batch-report.js';
import { batchExitCode, runBatch, type TargetRunner, type TargetRunResult } from '../../src/executor/batch/batch.js';

const LIST = `# CI list: the stub domain for both arches, and one library alone
qemu-stubdom  musl-linux-amd64
qemu-stubdom  rumprun-amd64   --pin xen=4.17.5+72-g01140da4e8-1   # the mirror serves this one
zlib musl-linux-amd64 --libraries-only --timeout=10

`;

describe('parseBatchFile', () => {
  it('reads one target and arch a line, with per-line options and comments', () => {
    const parsed = parseBatchFile(LIST, 'ci.list');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.map((e) => [e.id, e.options, e.location.line])).toEqual([
      ['qemu-stubdom@musl-linux-amd64', [], 2],
      ['qemu-stubdom@rumprun-amd64', ['--pin', 'xen=4.17.5+72-g01140da4e8-1'], 3],
      ['zlib@musl-linux-amd64', ['--libraries-only', '--timeout', '10'], 4],
    ]);
  });

  it.each([
    ['qemu-stubdom\n', 1, 'bad-line', 'expected "<target> <arch> [options]"'],
    ['zlib musl-linux-amd64 --frobnicate\n', 1, 'unknown-option', 'unknown option --frobnicate'],
    ['zlib musl-linux-amd64 --pin\n', 1, 'missing-value', '--pin needs a value'],
    ['zlib musl-linux-amd64 --pin --libraries-only\n', 1, 'missing-value', '--pin needs a value'],
    ['zlib musl-linux-amd64 --libraries-only=yes\n', 1, 'bad-line', 'takes no value'],
    ['zlib musl-linux-amd64 rumprun-amd64\n', 1, 'bad-line', 'one target and one arch a line'],
    ['# nothing\nZlib musl-linux-amd64\n', 2, 'bad-line', 'is not a target name'],
    ['zlib musl-linux-amd64\n\nzlib musl-linux-amd64 --keep-going\n', 3, 'duplicate-entry', 'already listed at line 1'],
  ])('refuses %j at line %i', (text, line, reason, message) => {
    const parsed = parseBatchFile(text, 'ci.list');
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error[0]).toMatchObject({ reason, location: { file: 'ci.list', line } });
    expect(parsed.error[0]?.message).toContain(message);
  });

  it('reports every bad line, not only the first', () => {
    const parsed = parseBatchFile('a\nzlib x --nope\nzlib musl-linux-amd64\n', 'l');
    expect(parsed.ok ? [] : parsed.error.map((e) => e.location.line)).toEqual([1, 2]);
  });

  it('refuses a list with no target', () => {
    const parsed = parseBatchFile('# only a comment\n\n', 'l');
    expect(parsed.ok ? 'ok' : parsed.error[0]?.reason).toBe('empty-list');
  });
});

function entries(): BatchEntry[] {
  const parsed = parseBatchFile('zlib musl-linux-amd64\nlibffi musl-linux-amd64\npcre2 rumprun-amd64\n', 'l');
  if (!parsed.ok) throw new Error('list');
  return parsed.value;
}

const success = (source: string): TargetRunResult => ({
  status: 'succeeded', exitCode: 0, nodes: [{ source, status: 'built', key: `k-${source}`, log: `/logs/${source}.log` }, { source: 'zlib', status: 'cached', key: 'k-zlib' }],
  outputs: [{ package: `${source}-dev-musl-linux-amd64-cross`, version: '1.0-1', file: `pool/k-${source}/${source}.deb`, key: `k-${source}` }],
  embeds: [{ source, version: '1.0-1' }],
});

/** Records every report written, as a CI system polling the file would see it. */
function recorder(): { reports: BatchReport[]; write: (r: BatchReport) => Promise<{ ok: true }> } {
  const reports: BatchReport[] = [];
  return { reports, write: (r) => { reports.push(structuredClone(r)); return Promise.resolve({ ok: true }); } };
}

const CODES = { ok: 0, failed: 1, interrupted: 130 };
const list = { file: 'l', sha256: 'x'.repeat(64) };

describe('runBatch', () => {
  it('runs every target, at most `jobs` at a time, and writes the report as each one changes', async () => {
    let running = 0;
    let most = 0;
    const runner: TargetRunner = async (entry) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 10));
      running--;
      return success(entry.target);
    };
    const rec = recorder();
    const outcome = await runBatch({ entries: entries(), list, jobs: 2, runner, logFileOf: (e) => `/logs/${e.id}.log`, writeReport: rec.write });
    expect(most).toBe(2);
    expect(outcome.report.status).toBe('succeeded');
    expect(batchExitCode(outcome, CODES)).toBe(0);
    expect(outcome.report.targets.map((t) => [t.id, t.status, t.cacheHits, t.built, t.attempts])).toEqual([
      ['zlib@musl-linux-amd64', 'succeeded', 1, 1, 1], ['libffi@musl-linux-amd64', 'succeeded', 1, 1, 1], ['pcre2@rumprun-amd64', 'succeeded', 1, 1, 1],
    ]);
    expect(outcome.report.targets[0]?.logs).toEqual(['/logs/zlib@musl-linux-amd64.log', '/logs/zlib.log']);
    // First write: all pending; then running/succeeded per target; last: the final status.
    expect(rec.reports[0]?.targets.every((t) => t.status === 'pending')).toBe(true);
    expect(rec.reports.some((r) => r.targets.some((t) => t.status === 'running'))).toBe(true);
    expect(rec.reports.at(-1)?.status).toBe('succeeded');
    expect(rec.reports.length).toBeGreaterThanOrEqual(1 + 3 * 2 + 1);
  });

  it('goes on after a failed target and exits non-zero', async () => {
    const runner: TargetRunner = (entry) => Promise.resolve(entry.target === 'libffi'
      ? { status: 'failed', exitCode: 1, nodes: [{ source: 'libffi', status: 'failed' }], outputs: [], embeds: [], error: 'step failed' }
      : success(entry.target));
    const outcome = await runBatch({ entries: entries(), list, jobs: 1, runner, logFileOf: (e) => e.id, writeReport: recorder().write });
    expect(outcome.report.targets.map((t) => t.status)).toEqual(['succeeded', 'failed', 'succeeded']);
    expect(batchExitCode(outcome, CODES)).toBe(1);
  });

  it('records a runner that throws as a failed target', async () => {
    const runner: TargetRunner = () => Promise.reject(new Error('spawn ENOENT'));
    const outcome = await runBatch({ entries: entries().slice(0, 1), list, jobs: 1, runner, logFileOf: (e) => e.id, writeReport: recorder().write });
    expect(outcome.report.targets[0]).toMatchObject({ status: 'failed', error: 'spawn ENOENT' });
  });

  it('on an interrupt starts nothing new and marks the rest interrupted', async () => {
    const abort = new AbortController();
    const runner: TargetRunner = (entry) => {
      abort.abort();
      return Promise.resolve({ ...success(entry.target), status: 'interrupted', exitCode: 130 });
    };
    const outcome = await runBatch({ entries: entries(), list, jobs: 1, runner, logFileOf: (e) => e.id, writeReport: recorder().write, signal: abort.signal });
    expect(outcome.report.targets.map((t) => [t.status, t.attempts])).toEqual([['interrupted', 1], ['interrupted', 0], ['interrupted', 0]]);
    expect(batchExitCode(outcome, CODES)).toBe(130);
  });

  it('stops starting targets when the report cannot be written', async () => {
    let started = 0;
    const runner: TargetRunner = (entry) => { started++; return Promise.resolve(success(entry.target)); };
    let writes = 0;
    const outcome = await runBatch({
      entries: entries(), list, jobs: 1, runner, logFileOf: (e) => e.id,
      writeReport: () => Promise.resolve(++writes > 2 ? { ok: false, error: { reason: 'io-error', message: 'ENOSPC', location: { file: 'r.json' } } } : { ok: true }),
    });
    expect(started).toBe(1);
    expect(batchExitCode(outcome, CODES)).toBe(1);
  });
});

describe('resume', () => {
  const earlier = async (): Promise<BatchReport> => {
    // The state a SIGKILL leaves: zlib done, libffi running, pcre2 pending.
    const rec = recorder();
    let calls = 0;
    await runBatch({
      entries: entries(), list, jobs: 1, logFileOf: (e) => e.id, writeReport: rec.write,
      runner: (entry) => { calls++; return Promise.resolve(success(entry.target)); },
    });
    expect(calls).toBe(3);
    const killed = rec.reports.find((r) => r.targets[1]?.status === 'running');
    if (killed === undefined) throw new Error('no such report');
    return killed;
  };

  it('runs again only what had not succeeded, keeping the earlier results and runs', async () => {
    const killed = await earlier();
    const targets = resumeTargets(entries(), killed, list.sha256, 'r.json');
    if (!targets.ok) throw new Error(targets.error.message);
    const ran: string[] = [];
    const outcome = await runBatch({
      entries: entries(), list, jobs: 2, logFileOf: (e) => e.id, writeReport: recorder().write, resumeFrom: { targets: targets.value, runs: killed.runs },
      runner: (entry) => { ran.push(entry.id); return Promise.resolve(success(entry.target)); },
    });
    expect(ran).toEqual(['libffi@musl-linux-amd64', 'pcre2@rumprun-amd64']);
    expect(outcome.report.targets.map((t) => [t.status, t.attempts, t.fromEarlierRun ?? false])).toEqual([
      ['succeeded', 1, true], ['succeeded', 2, false], ['succeeded', 1, false],
    ]);
    expect(outcome.report.runs.map((r) => r.resumed)).toEqual([false, true]);
  });

  it('refuses to resume a report of another list', async () => {
    const killed = await earlier();
    const targets = resumeTargets(entries(), { ...killed, format: BATCH_REPORT_FORMAT }, 'y'.repeat(64), 'r.json');
    expect(targets.ok ? 'ok' : targets.error.reason).toBe('list-changed');
  });
});
