// Shared by the application integration tests: `stubforge build` run as a user runs it (the
// command module with its own streams, arch and recipe folders given explicitly because the
// TypeScript sources are not laid out like the installed package), and the real Debian tools
// that judge its .deb (dpkg-deb, dpkg --root, lintian).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { command as build } from '../../src/cli/commands/build.js';
import { runCommand, type CommandResult } from './cli-support.js';

export const ROOT = join(import.meta.dirname, '../..');
export const FIXTURE_RECIPES = join(ROOT, 'test/fixtures/recipes');

/** The package's maintainer, as a user sets it for dch and dpkg tools (lintian rejects root@localhost). */
export const MAINTAINER_ENV = { DEBFULLNAME: 'Stubforge Tester', DEBEMAIL: 'tester@example.org' } as const;

export type BuildRun = CommandResult;

export async function stubforgeBuild(args: readonly string[], env: { home: string; cache: string }): Promise<BuildRun> {
  return runCommand(build, [...args, '--arch-dir', join(ROOT, 'arch'), '--recipe-dir', FIXTURE_RECIPES, '--recipe-dir', join(ROOT, 'recipes')], {
    env: { ...process.env, ...MAINTAINER_ENV, STUBFORGE_HOME: env.home, STUBFORGE_CACHE: env.cache }, cwd: env.home,
  });
}

/** The `.deb` (and its -dbgsym) the build's last lines name. */
export function packagesOf(stdout: string): { status: string; deb: string; dbgsym?: string } {
  const m = /^application package \((built|cached)\): (\S+\.deb)$/m.exec(stdout);
  if (m?.[1] === undefined || m[2] === undefined) throw new Error(`no application package in:\n${stdout}`);
  const dbgsym = /^ {2}also: (\S+-dbgsym_\S+\.deb)$/m.exec(stdout)?.[1];
  return { status: m[1], deb: m[2], ...(dbgsym === undefined ? {} : { dbgsym }) };
}

/**
 * The environment the run's build images are layered on (`N build image(s) on <env>`): it holds the
 * toolchain (musl-dev) that every node's image has.
 */
export function imageOf(stdout: string): string {
  const ref = /build image\(s\) on (\S+), /.exec(stdout)?.[1];
  if (ref === undefined) throw new Error(`no image in:\n${stdout}`);
  return ref;
}

export function run(cmd: string, args: readonly string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...(input === undefined ? {} : { input }) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function field(deb: string, name: string): string {
  return run('dpkg-deb', ['--field', deb, name]).stdout.replace(/\n$/, '');
}

export function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** `dpkg --root <dir> -i`, dpkg's own unpacker, into an empty dpkg database. */
export function dpkgInstall(deb: string, root: string): ReturnType<typeof run> {
  mkdirSync(join(root, 'var/lib/dpkg/info'), { recursive: true });
  mkdirSync(join(root, 'var/lib/dpkg/updates'), { recursive: true });
  writeFileSync(join(root, 'var/lib/dpkg/status'), '');
  return run('dpkg', ['--root', root, '--force-not-root', '--force-script-chrootless', '--log=/dev/null', '-i', deb]);
}

/** Lintian's error lines (an overridden tag is not one); warnings and notes are not counted. */
export function lintianErrors(deb: string): { errors: string[]; output: string } {
  const r = run('lintian', ['--no-cfg', '--allow-root', deb]);
  const output = `${r.stdout}${r.stderr}`;
  return { errors: output.split('\n').filter((l) => l.startsWith('E: ')), output };
}

/** `dpkg-query -W` of a package in the build image: the version the link's libc.a came from. */
export function imagePackageVersion(image: string, pkg: string): string {
  return run('docker', ['run', '--rm', '--network', 'none', image, 'dpkg-query', '-W', '-f', '${Version}', pkg]).stdout.trim();
}
