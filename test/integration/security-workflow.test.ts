// The security workflow end to end, with real builds: build glib2.0 for musl-linux-amd64 with the
// bookworm version of its library zlib (OLD), then learn of a newer one (NEW, in trixie):
// `query embeds` names the package embedding the old version, `rebuild` shows the affected set
// (zlib, and glib2.0 built against it) and, with --yes, rebuilds exactly it — libffi and pcre2 are cache hits — and the new package
// sorts after the old one.
//
// OLD, NEW and the pins are read from the archive when the test starts, never written down: OLD
// and the pins are the newest versions of the bookworm suites that the mirror serves whole, NEW the
// newest zlib of trixie that it serves whole (the archive moves on, and the mirror lacks the .dsc
// of some uploads: archive-versions.ts). The test skips, saying why, when trixie has no servable
// zlib newer than OLD.
//
// trixie is among the suites of both builds and every source is pinned. The zlib recipe of
// test/fixtures/recipes (zlib's own configure through the steps driver) is used: the new zlib build-depends on a native tool the old one did not (autoconf),
// which changes zlib's own build image and key only — each node builds in the environment plus its
// own native tools (docs/building.md, "Build images"). The application part (binNMU .deb)
// waits for the application builder; its version and changelog functions are tested in
// binnmu-dpkg.test.ts.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CliCommand } from '../../src/cli/command.js';
import { command as query } from '../../src/cli/commands/query.js';
import { command as rebuild } from '../../src/cli/commands/rebuild.js';
import { ensureEngine } from './runtime-support.js';
import { runCommand, type CommandResult } from './cli-support.js';
import { openTestArchive, requireServed, servedVersion } from './archive-versions.js';

const ROOT = join(import.meta.dirname, '../..');
const home = mkdtempSync(join(tmpdir(), 'stubforge-security-'));
const INDEX_CACHE = join(tmpdir(), 'stubforge-test-index-cache');
const env = { ...process.env, STUBFORGE_HOME: join(home, 'sf'), STUBFORGE_CACHE: INDEX_CACHE, STUBFORGE_LOG_LEVEL: 'warn' };
const BOOKWORM = ['bookworm', 'bookworm-updates', 'bookworm-security'];
const SUITES = ['--suite', 'bookworm', '--suite', 'bookworm-updates', '--suite', 'bookworm-security', '--suite', 'trixie'];
/** Read from the archive in beforeAll: see the top of the file. */
let OLD = '';
let NEW = '';
let PINS: string[] = [];
/** Set when the archive holds no servable update to rebuild against: every test skips with it. */
let noUpdate: string | undefined;
const RECIPES = ['--recipe-dir', join(ROOT, 'test/fixtures/recipes')];

afterAll(() => rmSync(home, { recursive: true, force: true }));

async function stubforge(cmd: CliCommand, ...args: string[]): Promise<CommandResult> {
  return runCommand(cmd, args, { env, cwd: home });
}

interface QueryJson { matches: { package: string; version: string; sourceVersion: string; via: string[] }[] }

/** The versions of the workflow: OLD and the pins from the bookworm suites, NEW from trixie, each served whole. */
async function deriveVersions(): Promise<void> {
  const { archive, probe } = await openTestArchive([...BOOKWORM, 'trixie'], INDEX_CACHE);
  OLD = (await requireServed(archive, 'zlib', BOOKWORM, probe)).version;
  const pins = [`zlib=${OLD}`];
  for (const name of ['glib2.0', 'libffi', 'pcre2']) pins.push(`${name}=${(await requireServed(archive, name, BOOKWORM, probe)).version}`);
  PINS = pins.flatMap((p) => ['--pin', p]);
  const update = await servedVersion(archive, 'zlib', ['trixie'], probe);
  if (!update.ok) noUpdate = update.skip;
  else if (spawnSync('dpkg', ['--compare-versions', update.version, 'gt', OLD]).status !== 0) noUpdate = `trixie's servable zlib ${update.version} is not newer than ${OLD}`;
  else NEW = update.version;
}

beforeAll(async () => {
  ensureEngine();
  mkdirSync(INDEX_CACHE, { recursive: true });
  await deriveVersions();
  if (noUpdate !== undefined) return;
  // The first build, as a user runs it.
  const built = spawnSync(process.execPath, [join(ROOT, 'bin/stubforge.js'), 'build', 'glib2.0', '--libraries-only', ...SUITES, ...PINS, ...RECIPES],
    { env, cwd: home, encoding: 'utf8', timeout: 900_000 });
  if (built.status !== 0) throw new Error(`first build failed (${String(built.status)}):\n${built.stdout}\n${built.stderr}`);
}, 900_000);

describe('security workflow: query, rebuild', () => {
  beforeEach((test) => { if (noUpdate !== undefined) test.skip(`no update to rebuild against: ${noUpdate}`); });

  it('query embeds names the package that embeds the old version', async () => {
    const { code, stdout } = await stubforge(query, 'embeds', 'zlib', '<<', NEW, '--format', 'json');
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as QueryJson).matches.map((m) => [m.package, m.sourceVersion])).toEqual([['zlib1g-dev-musl-linux-amd64-cross', OLD]]);
  });

  it('rebuild shows the affected set and the expected cache hits without building', async () => {
    const { code, stdout } = await stubforge(rebuild, '--updated', `zlib=${NEW}`, ...SUITES, ...RECIPES);
    expect(code).toBe(0);
    expect(stdout).toContain(`  musl-linux-amd64  zlib ${OLD}  key `);
    expect(stdout).toContain(`updated ${OLD} → ${NEW}`);
    expect(stdout).toMatch(/^ {2}musl-linux-amd64 {2}glib2\.0 \S+ {2}key \w{12} {2}built against zlib1g-dev-musl-linux-amd64-cross \(zlib\)$/m);
    expect(stdout).toContain('expected cache hits (2): musl-linux-amd64/libffi, musl-linux-amd64/pcre2');
    expect(stdout).toContain('dry run: nothing built');
  });

  it('rebuild --yes rebuilds exactly the affected set; the rest are cache hits', async () => {
    const { code, stdout } = await stubforge(rebuild, '--updated', `zlib=${NEW}`, ...SUITES, ...RECIPES, '--yes');
    expect(code, stdout).toBe(0);
    expect(stdout).not.toContain('REBUILT OUTSIDE');
    const result = /^glib2\.0 on musl-linux-amd64: rebuilt (.*); cache hits (.*)$/m.exec(stdout);
    expect(result?.[1]?.split(', ').sort()).toEqual(['glib2.0', 'zlib']);
    expect(result?.[2]?.split(', ').sort()).toEqual(['libffi', 'pcre2']);
  }, 900_000);

  it('the new package embeds the new version and sorts after the old one', async () => {
    const { code, stdout } = await stubforge(query, 'embeds', 'zlib', '--format', 'json');
    expect(code).toBe(0);
    const matches = (JSON.parse(stdout) as QueryJson).matches.filter((m) => m.via.includes('X-Stubforge-Source'));
    const versions = matches.map((m) => m.version);
    expect(versions).toContain(NEW);
    expect(spawnSync('dpkg', ['--compare-versions', NEW, 'gt', OLD]).status).toBe(0);
    // Nothing stale is left: the update is what every current build uses now.
    const again = await stubforge(rebuild, '--updated', `zlib=${NEW}`, ...SUITES, ...RECIPES);
    expect(again.stdout).toContain(`zlib ${NEW} is already what every build uses`);
  });
});
