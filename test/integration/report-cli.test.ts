// `stubforge report` on bad input: each failure names what is wrong and where, and loses nothing
// (a folder it did not write is never replaced). Files only: no engine, no archive.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { command as report } from '../../src/cli/commands/report.js';
import { BUILD_REPORT_FORMAT, type BuildReport } from '../../src/executor/scheduler/build-report.js';
import { runCommand, type CommandResult } from './cli-support.js';

const home = mkdtempSync(join(tmpdir(), 'stubforge-report-cli-'));
const env = { ...process.env, STUBFORGE_HOME: join(home, 'sf') };
afterAll(() => rmSync(home, { recursive: true, force: true }));

const run = (...args: string[]): Promise<CommandResult> => runCommand(report, args, { env, cwd: home });

const build: BuildReport = {
  format: BUILD_REPORT_FORMAT, target: 'zlib', arch: 'musl-linux-amd64', exitCode: 0, interrupted: false, makespanMs: 3000, jobs: 1,
  nodes: [{ source: 'zlib', version: '1:1.2.13.dfsg-1', kind: 'library', depends: [], status: 'built', durationMs: 2900, startMs: 50, endMs: 2950, log: join(home, 'zlib.log') }],
};
writeFileSync(join(home, 'build.json'), JSON.stringify(build));
writeFileSync(join(home, 'zlib.log'), 'build output \u001b[31m<b>\n');

describe('stubforge report', () => {
  it('writes the pages of what it was given, the logs as text, and replaces its own earlier report', async () => {
    const first = await run('--out', 'site', '--build-report', 'build.json', '--no-default-repos');
    expect(first.code, first.stderr).toBe(0);
    expect(readdirSync(join(home, 'site')).sort()).toEqual(['.stubforge-report', 'builds.html', 'index.html', 'logs']);
    expect(readFileSync(join(home, 'site/logs/001-zlib.txt'), 'utf8')).toBe('build output \u001b[31m<b>\n');
    expect(readFileSync(join(home, 'site/builds.html'), 'utf8')).toContain('<a href="logs/001-zlib.txt">log</a>');
    const again = await run('--out', 'site', '--build-report', 'build.json', '--no-default-repos', '--date', '2026-12-03');
    expect(again.code).toBe(0);
    expect(readFileSync(join(home, 'site/index.html'), 'utf8')).toContain('generated 2026-12-03');
    expect(readdirSync(home).filter((f) => f.startsWith('site.tmp-'))).toEqual([]);
  });

  it('refuses to replace a folder it did not write, and leaves it as it was', async () => {
    mkdirSync(join(home, 'mine'));
    writeFileSync(join(home, 'mine/notes.txt'), 'keep me');
    const r = await run('--out', 'mine', '--build-report', 'build.json', '--no-default-repos');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(home, 'mine')} holds files that no stubforge report wrote`);
    expect(readdirSync(join(home, 'mine'))).toEqual(['notes.txt']);
  });

  it.each([
    ['a missing build report', ['--build-report', 'nowhere.json'], /cannot read the build report .*nowhere\.json: ENOENT/],
    ['a file that is not a build report', ['--build-report', 'zlib.log'], /zlib\.log: not JSON/],
    ['a missing batch report', ['--batch-report', 'nowhere.json'], /no batch report at .*nowhere\.json/],
    ['no --out', [], /--out DIR is needed/],
  ])('exits 2 for %s, naming it', async (_what, args, message) => {
    const r = await run(...(args.length === 0 ? [] : ['--out', 'bad-site']), ...args, '--no-default-repos');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(join(home, 'bad-site'))).toBe(false);
  });
});
