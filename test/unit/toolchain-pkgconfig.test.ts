// libpthread-stubs0-dev, provided by the musl-linux-amd64 toolchain (Toolchain-Provides) with the
// pthread-stubs.pc it would ship supplied to pkg-config (Toolchain-Pkg-Config): libx11 on real
// bookworm paragraphs (test/fixtures/solver-x11) no longer rebuilds libpthread-stubs, whose source
// the mirror does not serve; `plan` names the arch line; the drivers write a .pc with what the real
// package's file says (Version, no Cflags, no Libs) and search it after the staged closure.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArchFile, type PartialArch } from '../../src/arch/arch-file.js';
import { describeDriverError, type BuildSpec } from '../../src/drivers/driver.js';
import { buildSpecFor } from '../../src/drivers/registry.js';
import type { ArchiveIndex } from '../../src/model/archive.js';
import { buildPlan } from '../../src/plan/plan.js';
import { renderPlanText } from '../../src/plan/render.js';
import { explainWhy } from '../../src/solver/why.js';
import { solve } from '../../src/solver/solve.js';
import { archToolchain } from './drivers-arches.js';
import { ROOT, bookwormExcerpt, shippedArch, shippedRecipes } from './solver-fixtures.js';

const DIR = join(ROOT, 'test/fixtures/solver-x11');

const fixture = (): ArchiveIndex => bookwormExcerpt('solver-x11');

const musl = shippedArch('musl-linux-amd64');
/** The shipped arch without the stand-in: what the closure was before. */
const plainArch: PartialArch = {
  ...musl.arch, toolchainProvides: musl.arch.toolchainProvides.filter((n) => n !== 'libpthread-stubs0-dev'), toolchainPkgConfig: [],
};

/** `Field: value` lines of a .pc file (variables and comments left out). */
function pcFields(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z.]+):\s*(.*?)\s*$/.exec(line);
    if (m?.[1] !== undefined) out[m[1]] = m[2] ?? '';
  }
  return out;
}

describe('libx11 with libpthread-stubs0-dev provided by the toolchain', () => {
  it('rebuilds libpthread-stubs without the stand-in (the closure the mirror could not serve)', async () => {
    const r = solve({ archive: fixture(), arch: plainArch, table: musl.table, recipes: await shippedRecipes(), target: 'libx11' });
    if (!r.ok) throw new Error(JSON.stringify(r.error.problems));
    expect(r.value.nodes.map((n) => n.source)).toContain('libpthread-stubs');
  });

  it('drops both relations as toolchain, naming the .pc and the arch line, and rebuilds the rest', async () => {
    const r = solve({ archive: fixture(), ...musl, recipes: await shippedRecipes(), target: 'libx11' });
    if (!r.ok) throw new Error(JSON.stringify(r.error.problems));
    expect(r.value.nodes.map((n) => n.source).sort()).toEqual(['libbsd', 'libmd', 'libx11', 'libxau', 'libxcb', 'libxdmcp']);
    const line = readFileSync(join(ROOT, 'arch/musl-linux-amd64'), 'utf8').split('\n').findIndex((l) => l.startsWith(' pthread-stubs ')) + 1;
    const drops = r.value.dropped.filter((e) => e.origin.text.startsWith('libpthread-stubs0-dev'));
    expect(drops.map((e) => [e.from, e.origin.binary ?? e.origin.field, e.origin.text]).sort()).toEqual([
      ['libxcb', 'Build-Depends', 'libpthread-stubs0-dev (>= 0.1)'], ['libxcb', 'libxcb1-dev', 'libpthread-stubs0-dev'],
    ]);
    for (const e of drops) {
      expect(e.drops?.[0]).toMatchObject({ kind: 'toolchain', location: { file: 'arch/musl-linux-amd64', line } });
      expect(e.drops?.[0]?.detail).toContain(`supplies pthread-stubs.pc (Version 0.4, no flags) to pkg-config in its place (Toolchain-Pkg-Config, arch file musl-linux-amd64 line ${line})`);
    }
    expect(explainWhy(r.value, 'libpthread-stubs0-dev')[0]).toMatchObject({ kind: 'dropped' });
    const plan = buildPlan(r.value, musl.arch);
    if (!plan.ok) throw new Error('expected a plan');
    const text = renderPlanText(plan.value);
    expect(text).toContain('  libxcb Build-Depends: libpthread-stubs0-dev (>= 0.1)\n      toolchain: provided by the musl-linux-amd64 toolchain (musl-tools, musl-dev), which supplies pthread-stubs.pc');
    // Nothing stands for libpthread-stubs in what is built or embedded.
    expect(plan.value.nodes.map((n) => n.source)).not.toContain('libpthread-stubs');
  });

  it('claims the version of the real libpthread-stubs0-dev 0.4-1 and its empty flags', () => {
    const real = pcFields(readFileSync(join(DIR, 'libpthread-stubs0-dev-0.4-1-amd64.pc'), 'utf8'));
    expect(musl.arch.toolchainPkgConfig).toEqual([{ module: 'pthread-stubs', version: real['Version'], standsFor: 'libpthread-stubs0-dev', line: expect.any(Number) }]);
    expect([real['Cflags'], real['Libs']]).toEqual(['', '']);
  });
});

describe('the .pc files the drivers write for the toolchain', () => {
  const specOf = (system: 'make' | 'meson'): BuildSpec => {
    const spec = buildSpecFor({
      arch: archToolchain('musl-linux-amd64'), source: { name: 'libxcb', version: '1.15-1', dir: '/build/src' }, buildDir: '/build/work',
      prefix: '/usr/x86_64-linux-musl', destDir: '/build/out', depsPrefix: '/deps/usr/x86_64-linux-musl', jobs: 2, options: { system },
    }, []);
    if (!spec.ok) throw new Error(describeDriverError(spec.error));
    return spec.value;
  };

  it.each(['make', 'meson'] as const)('%s: the setup step writes pthread-stubs.pc with the real file\'s fields, searched after the closure', (system) => {
    const spec = specOf(system);
    const setup = spec.steps[0];
    const dir = '/build/work/stubforge/toolchain-pkgconfig';
    expect(setup?.run).toContain(`${dir}/pthread-stubs.pc`);
    const body = /<<'[^']+'\n([\s\S]*?)\nSTUBFORGE_EOF(?:\n|$)/.exec(setup?.run.slice(setup.run.indexOf(`${dir}/pthread-stubs.pc`)) ?? '')?.[1] ?? '';
    const real = pcFields(readFileSync(join(DIR, 'libpthread-stubs0-dev-0.4-1-amd64.pc'), 'utf8'));
    const written = pcFields(body);
    expect({ Version: written['Version'], Cflags: written['Cflags'], Libs: written['Libs'] }).toEqual({ Version: real['Version'], Cflags: real['Cflags'], Libs: real['Libs'] });
    expect(written['Description']).toContain('in place of libpthread-stubs0-dev');
    for (const step of spec.steps) {
      expect(step.env['PKG_CONFIG_LIBDIR']).toBe(`/deps/usr/x86_64-linux-musl/lib/pkgconfig:/deps/usr/x86_64-linux-musl/share/pkgconfig:${dir}`);
    }
  });

  it('writes nothing for an arch without Toolchain-Pkg-Config (rumprun-amd64)', () => {
    const rumprun = archToolchain('rumprun-amd64');
    expect(rumprun.pkgConfigModules).toBeUndefined();
  });
});

describe('Toolchain-Pkg-Config in an arch file', () => {
  const text = readFileSync(join(ROOT, 'arch/musl-linux-amd64'), 'utf8');
  const problems = (edited: string): string[] => {
    const r = parseArchFile(edited, 'arch/x', 'musl-linux-amd64');
    return r.ok ? [] : r.error.reason === 'invalid-arch-file' ? r.error.problems.map((p) => `${p.location.line ?? '?'}: ${p.message}`) : [r.error.reason];
  };
  const line = text.split('\n').findIndex((l) => l.startsWith(' pthread-stubs ')) + 1;

  it.each([
    [' pthread-stubs 0.4 libfoo-dev', `${line}: "libfoo-dev" is not in Toolchain-Provides: the toolchain supplies a module only for a package it provides`],
    [' pthread-stubs 0.4', `${line}: "pthread-stubs 0.4" is not "<module> <version> <package>"`],
    [' pthread/stubs 0.4 libpthread-stubs0-dev', `${line}: "pthread/stubs" is not a pkg-config module name`],
    [' pthread-stubs v0.4 libpthread-stubs0-dev', `${line}: "v0.4" is not a pkg-config version`],
  ])('refuses %j with its line', (bad, message) => {
    expect(problems(text.replace(' pthread-stubs 0.4 libpthread-stubs0-dev', bad))).toEqual([message]);
  });

  it('changes the arch digest, so every key of the arch', () => {
    const a = parseArchFile(text, 'arch/x', 'musl-linux-amd64');
    const b = parseArchFile(text.replace(' pthread-stubs 0.4 ', ' pthread-stubs 0.5 '), 'arch/x', 'musl-linux-amd64');
    if (!a.ok || !b.ok) throw new Error('expected both to parse');
    expect(a.value.contentSha256).not.toBe(b.value.contentSha256);
  });
});
