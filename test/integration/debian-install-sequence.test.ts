// The debian driver's install step for a dh package asks dh itself which commands install it
// (`DH_OPTIONS=--no-act debian/rules install-arch`), so the rules' make conditionals are evaluated
// under the build's profiles. Run here with the build machine's real make and debhelper on brotli's
// real debian/rules, control and rename script (test/fixtures/debian-rules): with nopython, dh's
// sequence is the cmake one and brotli's override_dh_install renames lib*-static.a. Only the
// commands the step then runs are stand-ins that record their arguments (dh_auto_install leaves
// the three archives cmake installs; dh_install fails as it does on the missing .so files).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dhInstallSequenceScript } from '../../src/drivers/debian/install-sequence.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/debian-rules');
const hasDh = spawnSync('sh', ['-c', 'command -v dh && command -v make'], { encoding: 'utf8' }).status === 0;
const work = mkdtempSync(join(tmpdir(), 'stubforge-dh-sequence-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function recorder(bin: string, name: string, body: string): void {
  const file = join(bin, name);
  writeFileSync(file, `#!/bin/sh\nprintf '%s|%s|%s\\n' "${name}" "$*" "$(printf '%s' "$DH_INTERNAL_OPTIONS" | tr '\\036' ',')" >> "$CALLS"\n${body}\n`);
  chmodSync(file, 0o755);
}

describe('the install part of a dh sequence, as dh lists it', () => {
  it.skipIf(!hasDh)("brotli with nopython: cmake's dh_auto_install, then the rules' override_dh_install (rename), not dh_install's followers", () => {
    const src = join(work, 'brotli');
    const bin = join(work, 'bin');
    mkdirSync(join(src, 'debian'), { recursive: true });
    mkdirSync(bin);
    copyFileSync(join(FIXTURES, 'brotli_1.0.9-2.rules'), join(src, 'debian/rules'));
    copyFileSync(join(FIXTURES, 'brotli_1.0.9-2.control'), join(src, 'debian/control'));
    copyFileSync(join(FIXTURES, 'brotli_1.0.9-2.rename-static-libs.sh'), join(src, 'debian/rename-static-libs.sh'));
    chmodSync(join(src, 'debian/rules'), 0o755);
    chmodSync(join(src, 'debian/rename-static-libs.sh'), 0o755);
    // dh skips the build part once its stamp is there, as after the driver's build-arch step.
    writeFileSync(join(src, 'debian/debhelper-build-stamp'), 'libbrotli1\n');
    const lib = 'debian/tmp/usr/lib/x86_64-linux-musl';
    recorder(bin, 'dh_prep', '');
    recorder(bin, 'dh_installdirs', '');
    recorder(bin, 'dh_auto_install', `mkdir -p ${lib} && for l in common dec enc; do : > ${lib}/libbrotli$l-static.a; done`);
    recorder(bin, 'dh_install', 'echo "dh_install: error: missing files, aborting" >&2; exit 25');
    recorder(bin, 'dh_installdocs', '');
    const marker = join(work, 'install-failed');
    const calls = join(work, 'calls');
    const out = execFileSync('sh', ['-e', '-c', dhInstallSequenceScript('echo FALLBACK', marker)], {
      cwd: src, encoding: 'utf8',
      env: { ...process.env, PATH: `${bin}:${process.env['PATH'] ?? ''}`, CALLS: calls, DEB_BUILD_PROFILES: 'cross nocheck nodoc nopython', DEB_BUILD_OPTIONS: 'nocheck nodoc' },
    });
    expect(out).not.toContain('FALLBACK');
    expect(out).toContain('    debian/rules override_dh_install');
    expect(readFileSync(calls, 'utf8').trim().split('\n')).toEqual([
      'dh_prep|-a -O--buildsystem=cmake|',
      'dh_installdirs|-a -O--buildsystem=cmake|',
      'dh_auto_install|-a -O--buildsystem=cmake|',
      // Inside the override, dh_install gets dh's options as dh itself passes them.
      'dh_install||-a,-O--buildsystem=cmake,',
    ]);
    expect(readdirSync(join(src, lib)).sort()).toEqual(['libbrotlicommon.a', 'libbrotlidec.a', 'libbrotlienc.a']);
    // dh_install failed on what a static-only build does not make: logged, not marked (the
    // collect step's strict check is for a failed install stage).
    expect(out).toContain("stubforge: debian/rules override_dh_install failed (dh_install's hook: what it did before failing is kept)");
    expect(existsSync(marker)).toBe(false);
  });
});
