// What the debian driver reads from a package's debian/rules, on real rules files of bookworm
// sources (test/fixtures/debian-rules/README.md), and the spec it makes from them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeDebianPath, installStage, readDebianRules } from '../../src/drivers/debian/debian-rules.js';
import { buildPathOf } from '../../src/drivers/build-path.js';
import { buildSpecFor } from '../../src/drivers/registry.js';
import { describeDriverError, type DriverInput } from '../../src/drivers/driver.js';
import { archToolchain } from './drivers-arches.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'debian-rules');
const rulesOf = (name: string) => readDebianRules(readFileSync(join(FIXTURES, `${name}.rules`), 'utf8'), 'debian/rules');

describe('readDebianRules', () => {
  it.each([
    ['libyaml_0.2.5-1', true, [], { kind: 'dh_auto_install' }],
    ['json-c_0.16-2', true, ['--buildsystem=cmake', '--builddirectory=build'], { kind: 'dh_auto_install' }],
    ['bzip2_1.0.8-5', true, [], { kind: 'override', target: 'override_dh_auto_install-arch' }],
    ['lz4_1.9.4-1', true, [], { kind: 'override', target: 'override_dh_auto_install' }],
    ['expat_2.5.0-1+deb12u2', false, [], { kind: 'rules-target', target: 'install' }],
  ])('%s: dh %s, options %j, install stage %j', (name, usesDh, options, stage) => {
    const rules = rulesOf(name);
    expect(rules.usesDh).toBe(usesDh);
    expect(rules.buildsystemOptions).toEqual(options);
    expect(installStage(rules)).toMatchObject(stage);
  });

  it('names the dh line and the override with their lines, as plan shows them', () => {
    const text = readFileSync(join(FIXTURES, 'json-c_0.16-2.rules'), 'utf8');
    const line = text.split('\n').findIndex((l) => /^\tdh \$@/.test(l)) + 1;
    expect(describeDebianPath(rulesOf('json-c_0.16-2'))).toBe(`dh --buildsystem=cmake --builddirectory=build, debian/rules line ${line}`);
    const bzip2 = readFileSync(join(FIXTURES, 'bzip2_1.0.8-5.rules'), 'utf8').split('\n');
    const override = bzip2.findIndex((l) => l.startsWith('override_dh_auto_install-arch:')) + 1;
    expect(describeDebianPath(rulesOf('bzip2_1.0.8-5'))).toContain(`install: override_dh_auto_install-arch, line ${override}`);
    expect(describeDebianPath(rulesOf('expat_2.5.0-1+deb12u2'))).toMatch(/^debian\/rules without dh \(its own targets\); install: install, line \d+$/);
  });

  it.each([
    ['\tdh $@ --sourcedirectory=expat', ['--sourcedirectory=expat']],
    ['\tdh $@ -Dexpat -B build --with autoreconf', ['--sourcedirectory=expat', '--builddirectory=build']],
    ['\tdh $@ --buildsystem meson', ['--buildsystem=meson']],
  ])('reads the build-system options of %j', (line, options) => {
    expect(readDebianRules(`#!/usr/bin/make -f\n%:\n${line}\n`, 'debian/rules').buildsystemOptions).toEqual(options);
  });
});

describe('debian driver', () => {
  const MUSL = archToolchain('musl-linux-amd64');
  const input = (name: string): DriverInput => ({
    arch: MUSL, source: { name: 'json-c', version: '0.16-2', dir: '/build' }, buildDir: '/tmp/stubforge-build',
    prefix: '/usr/x86_64-linux-musl', destDir: '/out', depsPrefix: '/deps/usr/x86_64-linux-musl', jobs: 2,
    options: { system: 'detect' },
    debian: { rules: rulesOf(name), profiles: ['cross', 'nocheck', 'nodoc'], packages: ['libjson-c-dev'] },
  });

  it('is chosen by default when the source has debian/rules, and runs the rules for the partial arch', () => {
    const spec = buildSpecFor(input('json-c_0.16-2'), ['debian', 'CMakeLists.txt']);
    if (!spec.ok) throw new Error(describeDriverError(spec.error));
    expect(spec.value.driver).toBe('debian');
    expect(spec.value.steps.map((s) => s.name)).toEqual(['setup', 'tool-wrappers', 'debian/rules build-arch', 'install', 'collect', 'remove-libtool-archives']);
    const build = spec.value.steps[2];
    expect(build?.run).toMatch(/^arch_vars=\$\(dpkg-architecture -a musl-linux-amd64 -s 2>\/dev\/null\) \|\| \{ .*exit 1; \}\neval "\$arch_vars"\n[^]*if debian\/rules build-arch; then\n/);
    // dpkg knows musl-linux-amd64: its own tables are used.
    expect(Object.keys(build?.env ?? {})).not.toContain('DPKG_DATADIR');
    expect(build?.env).toMatchObject({
      DEB_BUILD_PROFILES: 'cross nocheck nodoc', DEB_BUILD_OPTIONS: 'nocheck nodoc parallel=2',
      CONFIG_SITE: '/tmp/stubforge-build/stubforge/config.site',
      DH_MESON_CROSS_FILE: '/tmp/stubforge-build/stubforge/meson-cross.ini',
      CMAKE_TOOLCHAIN_FILE: '/tmp/stubforge-build/stubforge/toolchain.cmake',
      // nasm objects (libjpeg-turbo's SIMD code) carry a line table for the provenance check.
      ASM_NASMFLAGS: '-g -Fdwarf',
    });
    // The packaging decides its compiler and flags: the other drivers' exports are withheld.
    expect(Object.keys(build?.env ?? {})).not.toContain('CC');
    expect(Object.keys(build?.env ?? {})).not.toContain('DESTDIR');
    expect(build?.env['DEB_LDFLAGS_APPEND']).toBe('-L/deps/usr/x86_64-linux-musl/lib');
    expect(spec.value.steps[3]?.run).toContain('dh_auto_install -a --destdir=debian/tmp --buildsystem=cmake --builddirectory=build');
    const setup = spec.value.steps[0]?.run ?? '';
    expect(setup).toContain('enable_shared=no');
    expect(setup).toContain("default_library = 'static'");
    expect(setup).toContain('set(BUILD_SHARED_LIBS OFF CACHE BOOL');
    expect(setup).toContain("cat > /tmp/stubforge-build/stubforge/bin/x86_64-linux-musl-gcc <<'STUBFORGE_EOF'\n#!/bin/sh\nexec musl-gcc \"$@\"");
    // musl-tools has no C++ compiler: <triplet>-g++ refuses, so configure never falls back to g++.
    expect(setup).toContain("cat > /tmp/stubforge-build/stubforge/bin/x86_64-linux-musl-g++ <<'STUBFORGE_EOF'\n#!/bin/sh\n");
    expect(setup).not.toMatch(/exec g\+\+|exec c\+\+/);
    expect(build?.env).toMatchObject({ CXX: 'x86_64-linux-musl-g++', CXXCPP: 'musl-gcc -E' });
  });

  it("runs a dh_auto_install override with dh's options, and old-style rules' own install target under fakeroot", () => {
    const bzip2 = buildSpecFor(input('bzip2_1.0.8-5'), []);
    const expat = buildSpecFor(input('expat_2.5.0-1+deb12u2'), []);
    if (!bzip2.ok || !expat.ok) throw new Error('no spec');
    expect(bzip2.value.steps[3]?.run).toContain("DH_INTERNAL_OPTIONS=$(printf '%s\\036' -a) debian/rules override_dh_auto_install-arch");
    expect(expat.value.steps[3]?.run).toContain('fakeroot debian/rules install');
  });

  it("asks dh for the install part of its sequence, keeping the command read from the rules' text as the fallback", () => {
    // brotli's text has its pybuild `dh` line first: only make, with nopython, knows the cmake one.
    const brotli = rulesOf('brotli_1.0.9-2');
    expect(brotli.buildsystemOptions).toEqual(['--buildsystem=pybuild']);
    const ifeq = readFileSync(join(FIXTURES, 'brotli_1.0.9-2.rules'), 'utf8').split('\n').findIndex((l) => l.startsWith('ifeq')) + 1;
    expect(describeDebianPath(brotli)).toContain(`; make conditionals from line ${ifeq}: dh lists the install commands when the build runs`);
    const spec = buildSpecFor(input('brotli_1.0.9-2'), []);
    if (!spec.ok) throw new Error(describeDriverError(spec.error));
    const run = spec.value.steps[3]?.run ?? '';
    expect(run).toContain("stubforge_seq=$(debian/rules install-arch DH_OPTIONS=--no-act | sed -n 's/^   //p')");
    expect(run).toContain("( DH_INTERNAL_OPTIONS=$(printf '%s\\036' -a --buildsystem=pybuild) debian/rules override_dh_auto_install )");
    // Old-style rules and rules with their own install targets keep their own install command.
    const expat = buildSpecFor(input('expat_2.5.0-1+deb12u2'), []);
    if (!expat.ok) throw new Error('no spec');
    expect(expat.value.steps[3]?.run).not.toContain('--no-act');
  });

  it("gives dpkg the arch file's table lines for an arch it does not know (rumprun-amd64)", () => {
    const RUMPRUN = archToolchain('rumprun-amd64');
    const spec = buildSpecFor({
      ...input('libyaml_0.2.5-1'), arch: RUMPRUN, prefix: '/usr/x86_64-rumprun-netbsd', depsPrefix: '/deps/usr/x86_64-rumprun-netbsd',
      debian: {
        rules: rulesOf('libyaml_0.2.5-1'), profiles: ['cross'], packages: ['libyaml-dev'],
        dpkgTables: { cputable: [], ostable: ['base-rumprun-netbsd rumprun-netbsd rumprun-netbsd[^-]*'], tupletable: ['base-rumprun-netbsd-amd64 rumprun-amd64'] },
      },
    }, []);
    if (!spec.ok) throw new Error(describeDriverError(spec.error));
    const wrappers = spec.value.steps[1];
    expect(wrappers?.run).toContain("{ printf '%s\\n' 'base-rumprun-netbsd-amd64 rumprun-amd64'; cat /usr/share/dpkg/tupletable; } > /tmp/stubforge-build/stubforge/dpkg/tupletable");
    expect(spec.value.steps[2]?.env['DPKG_DATADIR']).toBe('/tmp/stubforge-build/stubforge/dpkg');
    // rumprun has a C++ compiler: its wrapper runs it, and the packaging decides CXX.
    expect(spec.value.steps[0]?.run).toContain('exec /opt/rumprun/bin/x86_64-rumprun-netbsd-g++ "$@"');
    expect(spec.value.steps[2]?.env['CXX']).toBeUndefined();
    expect(spec.value.steps[2]?.run).toMatch(/\ndebian\/rules build-arch$/);
  });

  it('is not chosen when a recipe names another build system', () => {
    const spec = buildSpecFor({ ...input('json-c_0.16-2'), options: { system: 'cmake' } }, ['CMakeLists.txt']);
    expect(spec.ok && spec.value.driver).toBe('cmake');
  });
});

describe('buildPathOf', () => {
  it.each([
    [{ kind: 'library' as const }, 'debian', /^no recipe; debian\/rules read when the build runs/],
    [{ kind: 'library' as const, rules: 'json-c_0.16-2' }, 'debian', /^no recipe; dh --buildsystem=cmake --builddirectory=build, debian\/rules line \d+$/],
    [{ kind: 'library' as const, rules: 'expat_2.5.0-1+deb12u2', recipe: { file: 'recipes/expat', buildSystem: 'detect' } }, 'debian+recipe', /; deltas from recipes\/expat$/],
    [{ kind: 'library' as const, recipe: { file: 'recipes/glib2.0', buildSystem: 'meson' } }, 'driver', /^recipes\/glib2\.0: Build-System: meson \(stubforge's meson driver instead of debian\/rules\)$/],
    [{ kind: 'library' as const, recipe: { file: 'recipes/xen', buildSystem: 'steps' } }, 'recipe', /the recipe's own commands/],
    [{ kind: 'application' as const, recipe: { file: 'recipes/qemu-stubdom/recipe', buildSystem: 'steps' } }, 'application', /^application recipe/],
  ])('%j is built by %s', (input, kind, evidence) => {
    const { rules, ...rest } = input as { rules?: string } & Parameters<typeof buildPathOf>[0];
    const path = buildPathOf({ ...rest, ...(rules === undefined ? {} : { rules: rulesOf(rules) }) });
    expect(path.kind).toBe(kind);
    expect(path.evidence).toMatch(evidence);
  });
});
