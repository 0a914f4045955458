// Archive attribution on real link traces (test/fixtures/link). The dpkg question is answered
// from dpkg's own captured output (dpkg -S, dpkg-query) through the same parsers the real query
// uses, so what is tested is the attribution and the requirement check, not a made-up dpkg.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDpkgQuerySource, parseDpkgSearch, usrMergeAlias } from '../../src/bake/dpkg-owner.js';
import {
  attributeArchives, describeAttributionError, formatBuiltUsing, type AttributionContext, type CrossOwner, type HostOwnerQuery,
} from '../../src/bake/link-attribution.js';
import { dpkgOwnerQuery } from '../../src/bake/link-trace-io.js';
import { parseLinkTrace, type LinkEvidence } from '../../src/bake/link-trace.js';
import type { ProcessResult, ProcessRunner } from '../../src/io/process.js';
import { ok } from '../../src/model/result.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/link');
const read = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');
const STAGE = '/tmp/stubforge-link-capture/stage/usr/x86_64-linux-musl/lib';

function trace(name: string): LinkEvidence {
  const parsed = parseLinkTrace(read(name), { file: name });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return parsed.value;
}

/** dpkg's captured answers, read with the production parsers. */
const capturedDpkg: HostOwnerQuery = (path) => {
  const [pkg] = parseDpkgSearch(read('dpkg-S-found.txt'), path);
  if (pkg === undefined) return Promise.resolve(ok(undefined));
  const owner = parseDpkgQuerySource(read('dpkg-query-source.txt'), pkg);
  if (!owner.ok) throw new Error(owner.error);
  return Promise.resolve(ok(owner.value));
};

/** The staged closure: the -cross package of zlib installs libz.a (its file list says so). */
const zlibCross: CrossOwner = { package: 'zlib1g-dev-musl-linux-amd64-cross', source: 'zlib', sourceVersion: '1:1.2.13.dfsg-1' };
const owners = new Map<string, CrossOwner>([[`${STAGE}/libz.a`, zlibCross], [`${STAGE}/zlib.h`, zlibCross]]);
const requireZlib = { library: 'z', source: 'zlib', location: { file: 'recipes/qemu-stubdom/recipe', line: 13 } };

function context(over: Partial<AttributionContext> = {}): AttributionContext {
  return { owners, toolchainTrees: [], hostOwner: capturedDpkg, requirements: [requireZlib], ...over };
}

describe('attributeArchives', () => {
  it('names zlib from the closure and musl from the toolchain for a musl link traced with -t -t', async () => {
    const result = await attributeArchives(trace('musl-static.trace2.txt'), context());
    if (!result.ok) throw new Error(result.error.map(describeAttributionError).join('\n'));
    expect(result.value.sources).toEqual([
      { source: 'musl', version: '1.2.3-1', origin: 'toolchain-package', packages: ['musl-dev:amd64'], archives: ['/usr/lib/x86_64-linux-musl/libc.a'] },
      { source: 'zlib', version: '1:1.2.13.dfsg-1', origin: 'closure', packages: ['zlib1g-dev-musl-linux-amd64-cross'], archives: [`${STAGE}/libz.a`] },
    ]);
    expect(formatBuiltUsing(result.value.sources)).toBe('musl (= 1.2.3-1), zlib (= 1:1.2.13.dfsg-1)');
    expect(result.value.unattributed).toEqual([]);
    expect(result.value.unusedRequirements).toEqual([]);
  });

  it('keeps archives that were searched but gave nothing (libgcc, libunused) out of the provenance', async () => {
    const result = await attributeArchives(trace('musl-static.trace2.txt'), context());
    if (!result.ok) throw new Error('attribution failed');
    const byPath = new Map(result.value.archives.map((a) => [a.archive.normalizedPath, a]));
    expect(byPath.get('/usr/lib/gcc/x86_64-linux-gnu/12/libgcc.a')).toMatchObject({ kind: 'toolchain-package', linked: 'no', owner: { source: 'gcc-12' } });
    expect(byPath.get(`${STAGE}/libunused.a`)).toMatchObject({ kind: 'unknown', linked: 'no' });
  });

  it('with a single --trace cannot tell, so every opened archive counts (gcc-12 and the unowned libunused.a)', async () => {
    const result = await attributeArchives(trace('musl-static.trace.txt'), context());
    if (!result.ok) throw new Error('attribution failed');
    expect(result.value.sources.map((s) => s.source)).toEqual(['gcc-12', 'musl', 'zlib']);
    expect(result.value.unattributed.map((a) => [a.kind, a.archive.normalizedPath, a.linked])).toEqual([['unknown', `${STAGE}/libunused.a`, 'unknown']]);
  });

  it('reports wrong-library-linked when the build machine\'s libz.a was linked instead of the closure\'s', async () => {
    const result = await attributeArchives(trace('gcc-host-zlib.trace2.txt'), context());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toEqual([{
      reason: 'wrong-library-linked',
      library: 'z',
      used: { path: '/usr/lib/x86_64-linux-gnu/libz.a', owner: 'toolchain package zlib1g-dev:amd64 (source zlib 1:1.2.13.dfsg-1)' },
      expected: { source: 'zlib', paths: [`${STAGE}/libz.a`] },
      location: { file: 'gcc-host-zlib.trace2.txt', line: 5 },
      requiredAt: requireZlib.location,
    }]);
  });

  it('never takes a toolchain tree\'s own libz.a for the archive\'s (paths as a rumprun link prints them; no tree here)', async () => {
    const tree = { name: 'rumprun (hw)', root: '/opt/rumprun' };
    const evidence = parseLinkTrace([
      '/opt/rumprun/rumprun-x86_64/lib/libz.a',
      '(/opt/rumprun/rumprun-x86_64/lib/libz.a)crc32.o',
      '/opt/rumprun/rumprun-x86_64/lib/libc.a',
      '(/opt/rumprun/rumprun-x86_64/lib/libc.a)malloc.o',
    ].join('\n'), { file: 'rumprun-link.log' });
    if (!evidence.ok) throw new Error('parse failed');
    const result = await attributeArchives(evidence.value, context({ toolchainTrees: [tree] }));
    expect(result.ok ? [] : result.error.map(describeAttributionError)).toEqual([
      `libz.a: the link used /opt/rumprun/rumprun-x86_64/lib/libz.a (toolchain tree rumprun (hw) (rumprun-x86_64/lib/libz.a), not the archive); the recipe wants it from zlib: ${STAGE}/libz.a`,
    ]);
  });

  it('lists a toolchain tree\'s libc as unattributed, named, when nothing requires otherwise', async () => {
    const tree = { name: 'rumprun (hw)', root: '/opt/rumprun' };
    const evidence = parseLinkTrace('/opt/rumprun/rumprun-x86_64/lib/libc.a\n(/opt/rumprun/rumprun-x86_64/lib/libc.a)malloc.o\n', { file: 'l' });
    if (!evidence.ok) throw new Error('parse failed');
    const result = await attributeArchives(evidence.value, context({ toolchainTrees: [tree], requirements: [] }));
    if (!result.ok) throw new Error('attribution failed');
    expect(result.value.sources).toEqual([]);
    expect(result.value.unattributed.map((a) => a.kind === 'toolchain-tree' && a.relativePath)).toEqual(['rumprun-x86_64/lib/libc.a']);
  });

  it('lists a requirement the link never used, and asks dpkg nothing about relative paths', async () => {
    const asked: string[] = [];
    const evidence = parseLinkTrace('libfoo.a\n(libfoo.a)foo.o\n', { file: 'l' });
    if (!evidence.ok) throw new Error('parse failed');
    const result = await attributeArchives(evidence.value, context({ hostOwner: (p) => { asked.push(p); return Promise.resolve(ok(undefined)); } }));
    if (!result.ok) throw new Error('attribution failed');
    expect(asked).toEqual([]);
    expect(result.value.archives[0]).toMatchObject({ kind: 'unknown', detail: 'relative path: the link directory was not given' });
    expect(result.value.unusedRequirements).toEqual([requireZlib]);
  });

  it('turns every failed dpkg query into an error at its archive\'s trace line (libunused, libgcc, libgcc_eh, libc)', async () => {
    const failing: HostOwnerQuery = (path) => Promise.resolve({ ok: false, error: { reason: 'host-query-failed', path, detail: 'dpkg-query: exit code 2' } });
    const result = await attributeArchives(trace('musl-static.trace2.txt'), context({ hostOwner: failing, requirements: [] }));
    expect(result.ok ? [] : result.error.map((e) => [e.reason, e.location.line])).toEqual([
      ['host-query-failed', 12], ['host-query-failed', 13], ['host-query-failed', 14], ['host-query-failed', 15],
    ]);
  });
});

describe('dpkg answers', () => {
  it.each([
    ['/usr/lib/x86_64-linux-musl/libc.a', ['musl-dev:amd64']],
    ['/usr/lib/gcc/x86_64-linux-gnu/12/libgcc_eh.a', ['libgcc-12-dev:amd64']],
    ['/usr/lib/x86_64-linux-musl/crt1.o', []],
  ])('dpkg -S says %s belongs to %j', (path, expected) => {
    expect(parseDpkgSearch(read('dpkg-S-found.txt'), path)).toEqual(expected);
  });

  it('reads several owners and skips the diversion lines', () => {
    expect(parseDpkgSearch(read('dpkg-S-diversion.txt'), '/usr/bin/pg_config')).toEqual(['postgresql-common', 'libpq-dev']);
  });

  it('finds no owner in dpkg\'s "no path found" answer', () => {
    expect(parseDpkgSearch(read('dpkg-S-not-found.txt'), `${STAGE}/libz.a`)).toEqual([]);
  });

  it.each([
    ['musl-dev:amd64', { package: 'musl-dev:amd64', source: 'musl', sourceVersion: '1.2.3-1' }],
    ['musl-dev', { package: 'musl-dev:amd64', source: 'musl', sourceVersion: '1.2.3-1' }],
    ['libc6-dev:amd64', { package: 'libc6-dev:amd64', source: 'glibc', sourceVersion: '2.36-9+deb12u14' }],
  ])('dpkg-query names the source of %s', (pkg, expected) => {
    expect(parseDpkgQuerySource(read('dpkg-query-source.txt'), pkg)).toEqual({ ok: true, value: expected });
  });

  it('answers an error when dpkg-query did not describe the package', () => {
    expect(parseDpkgQuerySource(read('dpkg-query-source.txt'), 'binutils').ok).toBe(false);
  });

  it.each([
    ['/lib/x86_64-linux-gnu/libc.so.6', '/usr/lib/x86_64-linux-gnu/libc.so.6'],
    ['/usr/bin/gzip', '/bin/gzip'],
    ['/usr/share/doc', undefined],
  ])('usrmerge alias of %s is %s', (path, alias) => {
    expect(usrMergeAlias(path)).toBe(alias);
  });
});

describe('dpkgOwnerQuery (dpkg\'s captured output replayed by the process runner)', () => {
  function replay(answers: Record<string, ProcessResult>): { run: ProcessRunner; calls: string[] } {
    const calls: string[] = [];
    const run: ProcessRunner = (command, args) => {
      const key = `${command} ${args.join(' ')}`;
      calls.push(key);
      const answer = answers[key];
      if (answer === undefined) throw new Error(`unexpected ${key}`);
      return Promise.resolve(answer);
    };
    return { run, calls };
  }
  const out = (text: string, code = 0, stderr = ''): ProcessResult => ({ code, stdout: Buffer.from(text), stderr });
  const FORMAT = '--showformat=${binary:Package}\\t${source:Package}\\t${source:Version}\\n';
  const found = read('dpkg-S-found.txt');
  const notFound = read('dpkg-S-not-found.txt');

  it('asks dpkg -S, then dpkg-query for the source, once per path', async () => {
    const { run, calls } = replay({
      'dpkg-query -S /usr/lib/x86_64-linux-musl/libc.a': out(found.split('\n')[0] + '\n'),
      [`dpkg-query -W ${FORMAT} musl-dev:amd64`]: out(read('dpkg-query-source.txt').split('\n').filter((l) => l.startsWith('musl-dev')).join('\n')),
    });
    const query = dpkgOwnerQuery({ run });
    const first = await query('/usr/lib/x86_64-linux-musl/libc.a');
    await query('/usr/lib/x86_64-linux-musl/libc.a');
    expect(first).toEqual({ ok: true, value: { package: 'musl-dev:amd64', source: 'musl', sourceVersion: '1.2.3-1' } });
    expect(calls).toHaveLength(2);
  });

  it('tries the usrmerge name before answering that nobody owns a path', async () => {
    const { run, calls } = replay({
      'dpkg-query -S /usr/lib/x86_64-linux-gnu/libnothing.a': out('', 1, notFound),
      'dpkg-query -S /lib/x86_64-linux-gnu/libnothing.a': out('', 1, notFound),
    });
    expect(await dpkgOwnerQuery({ run })('/usr/lib/x86_64-linux-gnu/libnothing.a')).toEqual({ ok: true, value: undefined });
    expect(calls).toEqual(['dpkg-query -S /usr/lib/x86_64-linux-gnu/libnothing.a', 'dpkg-query -S /lib/x86_64-linux-gnu/libnothing.a']);
  });

  it('refuses to pick one of several owners', async () => {
    const { run } = replay({ 'dpkg-query --admindir=/srv/root/var/lib/dpkg -S /usr/bin/pg_config': out(read('dpkg-S-diversion.txt')) });
    const answer = await dpkgOwnerQuery({ run, admindir: '/srv/root/var/lib/dpkg' })('/usr/bin/pg_config');
    expect(answer.ok ? undefined : answer.error.detail).toBe('owned by several packages: postgresql-common, libpq-dev');
  });

  it('turns a dpkg failure into host-query-failed', async () => {
    const { run } = replay({ 'dpkg-query -S /x/libz.a': out('', 2, 'dpkg-query: error: cannot access archive: No such file or directory\n') });
    const answer = await dpkgOwnerQuery({ run })('/x/libz.a');
    expect(answer.ok ? undefined : answer.error).toEqual({
      reason: 'host-query-failed', path: '/x/libz.a', detail: 'dpkg-query -S: exit code 2: dpkg-query: error: cannot access archive: No such file or directory',
    });
  });
});
