// The shell the drivers generate does what it says when run: config.sub/config.guess discovery
// the way dh_update_autotools_config finds them, generated files written verbatim, kernel header
// links, libtool archives removed. Each script runs with sh in a temp directory.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configRefreshScript, isAutotoolsConfigScript } from '../../src/drivers/autotools/config-refresh.js';
import { setupStep, removeLibtoolArchivesStep } from '../../src/drivers/common-steps.js';
import { stepContext } from '../../src/drivers/environment.js';
import type { DriverInput } from '../../src/drivers/driver.js';
import { writeFileScript } from '../../src/drivers/shell.js';
import { archToolchain } from './drivers-arches.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/drivers');
const SUB_HEAD = readFileSync(join(FIXTURES, 'libffi-3.4.4-config.sub.head'), 'utf8');
const GUESS_HEAD = readFileSync(join(FIXTURES, 'libffi-3.4.4-config.guess.head'), 'utf8');
const temp = mkdtempSync(join(tmpdir(), 'stubforge-driver-scripts-'));
afterAll(() => { rmSync(temp, { recursive: true, force: true }); });

function sh(script: string, cwd: string): string {
  return execFileSync('sh', ['-e', '-c', script], { cwd, encoding: 'utf8' });
}

function put(path: string, content: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
}

describe('config.sub / config.guess refresh', () => {
  it.each([
    ['libffi 3.4.4 config.sub (timestamp line)', SUB_HEAD, true],
    ['libffi 3.4.4 config.guess (timestamp line)', GUESS_HEAD, true],
    ['its header without the timestamp line (pre-timestamp copies)', SUB_HEAD.replace(/^timestamp=.*$/m, ''), true],
    ['a project script that happens to be called config.sub', '#!/bin/sh\n# project configuration helper\nexec ./setup "$@"\n', false],
    ['a timestamp after line 10', `${'#\n'.repeat(10)}timestamp='2022-01-03'\n`, false],
  ])('recognises %s: %s', (_what, text, expected) => {
    expect(isAutotoolsConfigScript(text)).toBe(expected);
  });

  it('replaces every autotools copy in the tree, skipping dot-directories, symlinks and look-alikes', () => {
    const tree = join(temp, 'tree');
    const archDir = join(temp, 'arch-misc');
    put(join(archDir, 'config.sub'), 'ARCH config.sub\n');
    put(join(archDir, 'config.guess'), 'ARCH config.guess\n');
    put(join(tree, 'config.sub'), SUB_HEAD);
    put(join(tree, 'build-aux/config.guess'), GUESS_HEAD);
    put(join(tree, 'libltdl/config/config.sub'), SUB_HEAD.replace(/^timestamp=.*$/m, ''));
    put(join(tree, '.git/config.sub'), SUB_HEAD);
    put(join(tree, 'tools/config.sub'), '#!/bin/sh\n# project configuration helper\n');
    mkdirSync(join(tree, 'link'));
    symlinkSync('../config.sub', join(tree, 'link/config.sub'));

    const log = sh(configRefreshScript(tree, archDir), temp);
    expect(log.trim().split('\n').sort()).toEqual([
      'refreshed ./build-aux/config.guess', 'refreshed ./config.sub', 'refreshed ./libltdl/config/config.sub',
    ]);
    expect(readFileSync(join(tree, 'config.sub'), 'utf8')).toBe('ARCH config.sub\n');
    expect(readFileSync(join(tree, 'build-aux/config.guess'), 'utf8')).toBe('ARCH config.guess\n');
    expect(readFileSync(join(tree, '.git/config.sub'), 'utf8')).toBe(SUB_HEAD);
    expect(readFileSync(join(tree, 'tools/config.sub'), 'utf8')).toContain('project configuration helper');
    expect(lstatSync(join(tree, 'link/config.sub')).isSymbolicLink()).toBe(true);
  });
});

describe('setup and cleanup steps', () => {
  const base = join(temp, 'build');
  const input: DriverInput = {
    arch: archToolchain('musl-linux-amd64'), source: { name: 'x', version: '1', dir: join(base, 'src') },
    buildDir: join(base, 'work'), prefix: '/usr/x86_64-linux-musl', destDir: join(base, 'out'),
    depsPrefix: '/usr/x86_64-linux-musl', jobs: 1, options: { system: 'make' },
  };

  it('writes generated files byte for byte, whatever they contain, and links the kernel headers', () => {
    const ctx = stepContext(input);
    if (!ctx.ok) throw new Error('context');
    const content = "c_args = ['$HOME', '`id`', 'a\\\\b']\nSTUBFORGE_EOF\n'quoted' \"double\"\nno final newline";
    const target = join(base, 'work/stubforge/generated.ini');
    sh(setupStep(ctx.value, [{ path: target, content }]).run, temp);
    expect(readFileSync(target, 'utf8')).toBe(`${content}\n`);
    expect(readlinkSync(join(base, 'work/stubforge/kernel-headers/asm'))).toBe('/usr/include/x86_64-linux-gnu/asm');
    expect(existsSync(join(base, 'out'))).toBe(true);
  });

  it('picks a here-document delimiter no line of the content uses', () => {
    expect(writeFileScript('/f', 'STUBFORGE_EOF\nSTUBFORGE_EOF_1\n')).toMatch(/<<'STUBFORGE_EOF_2'\n/);
  });

  it('removes libtool archives from the output and names each one', () => {
    const ctx = stepContext(input);
    if (!ctx.ok) throw new Error('context');
    put(join(base, 'out/usr/x86_64-linux-musl/lib/libffi.la'), readFileSync(join(FIXTURES, 'libffi.la'), 'utf8'));
    put(join(base, 'out/usr/x86_64-linux-musl/lib/libffi.a'), '!<arch>\n');
    const log = sh(removeLibtoolArchivesStep(ctx.value).run, temp);
    expect(log.trim()).toBe(join(base, 'out/usr/x86_64-linux-musl/lib/libffi.la'));
    expect(existsSync(join(base, 'out/usr/x86_64-linux-musl/lib/libffi.la'))).toBe(false);
    expect(existsSync(join(base, 'out/usr/x86_64-linux-musl/lib/libffi.a'))).toBe(true);
  });
});
