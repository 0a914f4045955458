// Arch files: the two shipped ones load with the values the toolchains need; a bad field is an
// error naming the file and the line; the rumprun table lines teach dpkg's model the arch.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArchFile, type PartialArch } from '../../src/arch/arch-file.js';
import { loadArchFile } from '../../src/arch/arch-loader.js';
import { ROOT, shippedArch } from './solver-fixtures.js';

const shipped = (name: string): string => readFileSync(join(ROOT, 'arch', name), 'utf8');

function parsed(name: string): PartialArch {
  const r = parseArchFile(shipped(name), `arch/${name}`, name);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

describe('shipped arch files', () => {
  it('musl-linux-amd64: Debian toolchain packages, musl as the C library, static executables', () => {
    const a = parsed('musl-linux-amd64');
    expect(a).toMatchObject({
      name: 'musl-linux-amd64', gnuTriplet: 'x86_64-linux-musl', installArchitecture: 'amd64', buildArchitecture: 'amd64',
      toolchain: { kind: 'packages', packages: ['musl-tools', 'musl-dev'] }, cLibrarySource: 'musl',
      tools: { CC: 'musl-gcc', AR: 'ar', PKG_CONFIG: 'pkg-config' }, staticOnly: true,
      buildProfiles: ['cross', 'nocheck', 'nodoc', 'noinsttest', 'noudeb'],
      configSub: '/usr/share/misc/config.sub', configGuess: '/usr/share/misc/config.guess', configFilesPackage: 'autotools-dev',
      elf: { machine: 'EM_X86_64', machineNumber: 62, class: 'ELFCLASS64', data: 'ELFDATA2LSB' },
      bakeConfigs: ['static-executable'], dpkgTables: { ostable: [], tupletable: [], cputable: [] },
    });
    expect(a.tools.CXX).toBeUndefined();
  });

  it('rumprun-amd64: a user tree mounted as built, the noexecstack and gcc-include flags, dpkg table lines', () => {
    const a = parsed('rumprun-amd64');
    expect(a).toMatchObject({
      gnuTriplet: 'x86_64-rumprun-netbsd',
      toolchain: { kind: 'user-tree', variable: 'STUBFORGE_RUMPRUN', mount: 'as-built', pathProbe: 'bin/x86_64-rumprun-netbsd-gcc' },
      flags: { ldflags: '-Wl,-z,noexecstack', cppflags: '-idirafter ${HOST_GCC_INCLUDE}' },
      dpkgTables: { ostable: ['base-rumprun-netbsd rumprun-netbsd rumprun-netbsd[^-]*'], tupletable: ['base-rumprun-netbsd-amd64 rumprun-amd64'] },
      bakeDefault: 'xen_pv',
    });
    expect(a.cLibrarySource).toBeUndefined();
    expect(a.tools.CC).toBe('${TOOLCHAIN_ROOT}/bin/x86_64-rumprun-netbsd-gcc');
    expect(a.bakeConfigs).toEqual(expect.arrayContaining(['xen_pv', 'hw_generic']));
  });

  it.each([
    ['musl-linux-amd64', 'x86_64-linux-musl'],
    ['rumprun-amd64', 'x86_64-rumprun-netbsd'],
  ] as const)('%s is known to dpkg\'s tables as %s (with the arch file\'s lines)', (name, triplet) => {
    const { table } = shippedArch(name);
    expect(table.gnuTriplet(name)).toBe(triplet);
    expect(table.archIs(name, 'any-amd64')).toBe(true);
    expect(table.archIs(name, 'linux-any')).toBe(name === 'musl-linux-amd64');
  });

  it('records the SHA-256 of the file for cache keys', () => {
    expect(parsed('musl-linux-amd64').contentSha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

/** The musl file with one line replaced (or removed when `to` is null). */
function edited(from: RegExp, to: string | null): string {
  const lines = shipped('musl-linux-amd64').split('\n');
  const i = lines.findIndex((l) => from.test(l));
  if (i < 0) throw new Error(`no line ${String(from)}`);
  if (to === null) lines.splice(i, 1);
  else lines[i] = to;
  return lines.join('\n');
}

const lineOf = (text: string, re: RegExp): number => text.split('\n').findIndex((l) => re.test(l)) + 1;

describe('a bad arch file', () => {
  it.each([
    ['an unknown field', edited(/^Static-Only:/, 'Static-Only: yes\nStatik: yes'), /^Statik:/, 'unknown field Statik'],
    ['a misspelt toolchain kind', edited(/^Toolchain: /, 'Toolchain: docker'), /^Toolchain: /, 'Toolchain must be "packages" or "user-tree", not "docker"'],
    ['a tool line without a command', edited(/^ RANLIB /, ' RANLIB'), /^ RANLIB$/, '"RANLIB" is not "<TOOL> <command>"'],
    ['an unknown tool', edited(/^ NM /, ' NM nm\n CCC gcc'), /^ CCC /, '"CCC gcc" is not "<TOOL> <command>"'],
    ['an unknown placeholder', edited(/^CFLAGS:/, 'CFLAGS: -O2 -I${SYSROOT}/include'), /^CFLAGS:/, 'unknown placeholder ${SYSROOT}'],
    ['a shared-library policy', edited(/^Static-Only:/, 'Static-Only: no'), /^Static-Only:/, 'Static-Only: yes is required'],
    ['an unsupported format', edited(/^Format-Version:/, 'Format-Version: 2.0'), /^Format-Version:/, 'Format-Version 2.0 is not supported'],
    ['an unknown ELF machine', edited(/^ELF-Machine:/, 'ELF-Machine: EM_VAX'), /^ELF-Machine:/, 'unknown ELF machine "EM_VAX"'],
    ['a bake default not configured', edited(/^Bake-Default:/, 'Bake-Default: xen_pv'), /^Bake-Default:/, 'Bake-Default "xen_pv" is not one of Bake-Configs'],
    ['a dpkg table line with the wrong columns', edited(/^Bake-Default:/, 'Bake-Default: static-executable\nDpkg-Ostable:\n base-musl-linux musl-linux'), /^ base-musl-linux musl-linux$/, 'a ostable line has 3 columns'],
    ['a relative config.sub', edited(/^Config-Sub:/, 'Config-Sub: misc/config.sub'), /^Config-Sub:/, 'Config-Sub must be an absolute path'],
    ['a missing triplet', edited(/^GNU-Triplet:/, null), /^Name:/, 'missing required field GNU-Triplet'],
  ])('with %s is an error at its line', (_what, text, lineRe, message) => {
    const r = parseArchFile(text, 'arch/musl-linux-amd64', 'musl-linux-amd64');
    if (r.ok || r.error.reason !== 'invalid-arch-file') throw new Error('expected invalid-arch-file');
    const line = lineRe.source === '^Name:' ? undefined : lineOf(text, lineRe);
    const problem = r.error.problems.find((p) => p.message.includes(message));
    expect(problem, r.error.problems.map((p) => p.message).join('\n')).toBeDefined();
    expect(problem?.location.file).toBe('arch/musl-linux-amd64');
    if (line !== undefined) expect(problem?.location.line).toBe(line);
  });

  it('reports every problem at once', () => {
    const text = edited(/^Toolchain: /, 'Toolchain: docker').replace('Static-Only: yes', 'Static-Only: maybe');
    const r = parseArchFile(text, 'x', 'musl-linux-amd64');
    expect(!r.ok && r.error.reason === 'invalid-arch-file' && r.error.problems.length).toBe(2);
  });

  it('needs Toolchain-Variable and Toolchain-Path-Probe for a user tree', () => {
    const text = shipped('rumprun-amd64').replace(/^Toolchain-Variable:.*\n/m, '').replace(/^Toolchain-Path-Probe:.*\n/m, '');
    const r = parseArchFile(text, 'arch/rumprun-amd64', 'rumprun-amd64');
    expect(!r.ok && r.error.reason === 'invalid-arch-file' && r.error.problems.map((p) => p.message)).toEqual([
      'Toolchain: user-tree needs Toolchain-Variable', 'Toolchain: user-tree needs Toolchain-Path-Probe',
    ]);
  });

  it('must carry the name of its file', () => {
    const r = parseArchFile(shipped('musl-linux-amd64'), 'arch/musl-amd64', 'musl-amd64');
    expect(!r.ok && r.error.reason === 'invalid-arch-file' && r.error.problems[0]?.message).toBe('Name "musl-linux-amd64" does not match the file name "musl-amd64"');
  });

  it('with a malformed line is a deb822 error with the line', () => {
    const r = parseArchFile('Format-Version: 1.0\nthis is not a field\n', 'arch/x', 'x');
    expect(!r.ok && r.error).toMatchObject({ reason: 'malformed-control', location: { file: 'arch/x', line: 2 } });
  });
});

describe('loadArchFile', () => {
  const files = (entries: Record<string, string>): { readFile(path: string): Promise<string> } => ({
    readFile: (path) => (path in entries ? Promise.resolve(entries[path] ?? '') : Promise.reject(Object.assign(new Error('ENOENT'), { code: 'ENOENT' }))),
  });

  it('looks in the user\'s folders first', async () => {
    const mine = shipped('musl-linux-amd64').replace('CFLAGS: -O2 -g', 'CFLAGS: -O1');
    const r = await loadArchFile('musl-linux-amd64', { dirs: ['/mine', '/shipped'], fs: files({ '/mine/musl-linux-amd64': mine, '/shipped/musl-linux-amd64': shipped('musl-linux-amd64') }) });
    expect(r.ok && r.value.flags.cflags).toBe('-O1');
  });

  it('says where it looked for an arch it cannot find', async () => {
    const r = await loadArchFile('sparc-rumprun', { dirs: ['/a', '/b'], fs: files({}) });
    expect(!r.ok && r.error).toEqual({ reason: 'arch-not-found', name: 'sparc-rumprun', searched: ['/a/sparc-rumprun', '/b/sparc-rumprun'] });
  });
});
