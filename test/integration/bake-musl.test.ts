// The musl path end to end on the real tools: Debian's zlib built static with musl-gcc and staged
// as its -cross package installs it, a zlib-using program linked with the trace flags and a map,
// the trace and map parsed, the archives attributed (libz.a to the closure, libc.a to musl through
// the real dpkg), the program baked with static-executable, the stripped binary run, and its
// debug link checked against the debug file.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticExecutableBackend } from '../../src/bake/backends/static-executable.js';
import { readBuildIdFromFile, runBakeCommandsOnHost } from '../../src/bake/bake-host.js';
import { readElfBuildId } from '../../src/bake/elf-build-id.js';
import { attributeArchives, describeAttributionError, formatBuiltUsing, type CrossOwner } from '../../src/bake/link-attribution.js';
import { dpkgOwnerQuery, readLinkEvidence } from '../../src/bake/link-trace-io.js';
import { LINK_TRACE_FLAGS, linkMapFlag, type LinkEvidence } from '../../src/bake/link-trace.js';
import { buildMuslZlib, unpackZlib, ZLIB_HELLO, zlibHelloOutput, type PoolSource } from './bake-support.js';

let work = '';
let libz = '';
let program = '';
const MUSL_LIBC = '/usr/lib/x86_64-linux-musl/libc.a';
/** The zlib built: bookworm's newest that the mirror serves whole (bake-support.ts). */
let ZLIB: PoolSource;
const baseEnv = { PATH: process.env['PATH'] ?? '/usr/bin:/bin' };

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'stubforge-bake-musl-'));
  ZLIB = await unpackZlib(join(work, 'zlib'));
  const staged = await buildMuslZlib(join(work, 'zlib'), join(work, 'stage'));
  libz = staged.libz;
  await writeFile(join(work, 'zlib-hello.c'), ZLIB_HELLO);
  execFileSync('musl-gcc', ['-O2', '-g', `-I${staged.include}`, '-c', 'zlib-hello.c', '-o', 'zlib-hello.o'], { cwd: work });
  program = join(work, 'zlib-hello');
  // musl-gcc's specs add no build-id: the application link asks for one.
  const trace = execFileSync('musl-gcc', [
    '-static', '-o', program, 'zlib-hello.o', `-L${join(work, 'stage/usr/x86_64-linux-musl/lib')}`, '-lz',
    '-Wl,--build-id=sha1', ...LINK_TRACE_FLAGS, linkMapFlag(join(work, 'link.map')),
  ], { cwd: work, encoding: 'utf8' });
  await writeFile(join(work, 'link.trace'), trace);
});

afterAll(async () => {
  if (work !== '') await rm(work, { recursive: true, force: true });
});

function expectEvidence(e: LinkEvidence): void {
  const byPath = new Map(e.archives.map((a) => [a.normalizedPath, a.members]));
  expect(byPath.get(libz)).toEqual(expect.arrayContaining(['compress.o', 'deflate.o', 'crc32.o', 'zutil.o']));
  expect(byPath.get(MUSL_LIBC)?.length).toBeGreaterThan(10);
  expect(e.sharedObjects).toEqual([]);
}

describe('link a zlib program with musl-gcc against the staged closure, and read what was linked', () => {
  it('parses the real trace and the real map to the same archives', async () => {
    const trace = await readLinkEvidence(join(work, 'link.trace'), 'trace', work);
    const map = await readLinkEvidence(join(work, 'link.map'), 'map', work);
    if (!trace.ok || !map.ok) throw new Error('evidence unreadable');
    expectEvidence(trace.value);
    expectEvidence(map.value);
    const linked = (e: LinkEvidence): string[] => e.archives.filter((a) => (a.members?.length ?? 0) > 0).map((a) => a.normalizedPath).sort();
    expect(linked(trace.value)).toEqual(linked(map.value));
  });

  it('attributes libz.a to the closure and libc.a to musl at the installed version, through dpkg', async () => {
    const evidence = await readLinkEvidence(join(work, 'link.map'), 'map', work);
    if (!evidence.ok) throw new Error('map unreadable');
    const owners = new Map<string, CrossOwner>([[libz, { package: 'zlib1g-dev-musl-linux-amd64-cross', source: 'zlib', sourceVersion: ZLIB.version }]]);
    const result = await attributeArchives(evidence.value, {
      owners, toolchainTrees: [], hostOwner: dpkgOwnerQuery(),
      requirements: [{ library: 'z', source: 'zlib', location: { file: 'test' } }],
    });
    if (!result.ok) throw new Error(result.error.map(describeAttributionError).join('\n'));
    const muslVersion = execFileSync('dpkg-query', ['-W', '-f=${source:Version}', 'musl-dev'], { encoding: 'utf8' });
    expect(result.value.sources.map((s) => [s.source, s.version, s.origin])).toEqual([
      ['musl', muslVersion, 'toolchain-package'],
      ['zlib', ZLIB.version, 'closure'],
    ]);
    expect(formatBuiltUsing(result.value.sources)).toBe(`musl (= ${muslVersion}), zlib (= ${ZLIB.version})`);
    expect(result.value.unattributed).toEqual([]);
  });
});

describe('bake the linked program with static-executable', () => {
  it('reads the build-id as readelf does', async () => {
    const id = await readBuildIdFromFile(program);
    const readelf = execFileSync('readelf', ['-n', program], { encoding: 'utf8' });
    expect(id).toEqual({ ok: true, value: /Build ID: ([0-9a-f]+)/.exec(readelf)?.[1] });
  });

  it('strips the image, keeps a debug file named by build-id, links the two, and the image runs', async () => {
    const id = await readBuildIdFromFile(program);
    if (!id.ok) throw new Error(id.error.reason);
    const spec = staticExecutableBackend.plan({
      config: 'static-executable', program, outDir: join(work, 'bake'), imageName: 'zlib-hello',
      tools: { OBJCOPY: 'objcopy', STRIP: 'strip' }, buildId: id.value,
    });
    if (!spec.ok) throw new Error(JSON.stringify(spec.error));
    const ran = await runBakeCommandsOnHost(spec.value.commands, { baseEnv });
    if (!ran.ok) throw new Error(`${ran.error.name}: ${ran.error.outputTail}`);
    const { image, debugFile } = spec.value.outputs;
    if (debugFile === undefined) throw new Error('no debug file');

    expect(execFileSync(image, { encoding: 'utf8' })).toMatch(zlibHelloOutput(ZLIB.version));
    expect(debugFile.packagePath).toBe(`usr/lib/debug/.build-id/${id.value.slice(0, 2)}/${id.value.slice(2)}.debug`);
    // Both keep the build-id; the debug information moved out of the image.
    expect(readElfBuildId(await readFile(image))).toEqual({ ok: true, value: id.value });
    expect(readElfBuildId(await readFile(debugFile.path))).toEqual({ ok: true, value: id.value });
    const sections = (file: string): string => execFileSync('readelf', ['-S', '-W', file], { encoding: 'utf8' });
    expect(sections(image)).not.toMatch(/\.debug_info/);
    expect(sections(image)).not.toMatch(/\.symtab/);
    expect(sections(debugFile.path)).toMatch(/\.debug_info/);
    expect((await stat(image)).size).toBeLessThan((await stat(program)).size);

    // .gnu_debuglink: the debug file's base name, NUL-padded to 4 bytes, then its CRC-32.
    const link = execFileSync('objcopy', ['--dump-section', `.gnu_debuglink=${join(work, 'debuglink.bin')}`, image, join(work, 'scratch')]);
    expect(link.length).toBe(0);
    const section = await readFile(join(work, 'debuglink.bin'));
    const name = `${id.value.slice(2)}.debug`;
    expect(section.subarray(0, name.length).toString('latin1')).toBe(name);
    const crcOffset = (name.length + 4) & ~3;
    expect(section.readUInt32LE(crcOffset)).toBe(crc32(await readFile(debugFile.path)));
  });

  it('refuses a program linked without a build-id, as musl-gcc links by default', async () => {
    execFileSync('musl-gcc', ['-static', '-o', 'no-id', 'zlib-hello.o', `-L${join(work, 'stage/usr/x86_64-linux-musl/lib')}`, '-lz'], { cwd: work });
    const id = await readBuildIdFromFile(join(work, 'no-id'));
    expect(id.ok ? undefined : id.error.reason).toBe('no-build-id');
  });
});
