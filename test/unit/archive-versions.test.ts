// The archive moving on, replayed on captured indices: the helpers real-archive tests derive their
// versions with (test/integration/archive-versions.ts) and the choice behind `stubforge served`
// (src/archive/served-choice.ts) must still answer a version the mirror serves whole, or a reason
// to skip, when a security upload arrives without its .dsc and when a version a test once pinned
// leaves the index.
//
// Before: bookworm and bookworm-security as captured on 20 Nov 2026 (test/fixtures/solver). After:
// the same suites and trixie as captured on 3 Dec 2026 (test/fixtures/served/capture.mjs), when
// bookworm-security had gained zlib 1:1.2.13.dfsg-1+deb12u1 and trixie's zlib had become
// 1:1.3.dfsg+really1.3.1-1+deb13u1, neither with a .dsc the mirror serves. What the mirror served
// is the 404s the capture recorded, file by file.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Archive } from '../../src/archive/archive.js';
import { parseSourcesIndex } from '../../src/archive/index-records.js';
import { chooseServed, lacksOnlyDebianPart, verdictOf, versionsNewestFirst, type ServedProbe } from '../../src/archive/served-choice.js';
import { describeChecked } from '../../src/cli/commands/served.js';
import type { SourceRecord } from '../../src/model/archive.js';
import { ok } from '../../src/model/result.js';
import { servedVersion, sourceLackingNewestDsc, type ArchiveIndices } from '../integration/archive-versions.js';

const DEFAULT_SUITES = ['bookworm', 'bookworm-updates', 'bookworm-security'];
const MIRROR = 'http://mirror.invalid/debian';

interface Capture {
  readonly suites: readonly string[];
  readonly sources: readonly SourceRecord[];
  readonly missing: Readonly<Record<string, readonly string[]>>;
}
const after = JSON.parse(readFileSync(new URL('../fixtures/served/2026-12-03.json', import.meta.url), 'utf8')) as Capture;

function parsed(file: string, suite: string): SourceRecord[] {
  const text = readFileSync(new URL(`../fixtures/solver/${file}`, import.meta.url), 'utf8');
  const result = parseSourcesIndex(text, { file, suite, component: 'main' });
  if (!result.ok) throw new Error(result.error.message);
  return result.value.records;
}
const before = [...parsed('bookworm-main-Sources', 'bookworm'), ...parsed('bookworm-security-main-Sources', 'bookworm-security')];

function indices(sources: readonly SourceRecord[], suites: readonly string[]): ArchiveIndices {
  return {
    suites: suites.map((suite) => ({ suite, component: 'main', mirror: MIRROR })),
    index: { suites: [], sources: sources.filter((s) => suites.includes(s.suite)), binaries: [] } as Archive['index'],
  };
}

/** The mirror as the capture found it: a version's files minus the ones it answered 404 for. */
const capturedMirror: ServedProbe = (record) => {
  const missing = after.missing[`${record.suite} ${record.package} ${record.version}`];
  if (missing === undefined) throw new Error(`not captured: ${record.suite} ${record.package} ${record.version}`);
  return Promise.resolve(ok(missing.map((file) => ({ file, url: `${MIRROR}/${record.directory}/${file}` }))));
};

describe('versionsNewestFirst', () => {
  it('lists every version once, newest first, leaving out the Extra-Source-Only records', () => {
    const versions = versionsNewestFirst(after.sources, 'zlib', DEFAULT_SUITES);
    expect(versions.ok && versions.value.map((r) => [r.version, r.suite])).toEqual([
      ['1:1.2.13.dfsg-1+deb12u1', 'bookworm-security'],
      // Also in bookworm-security as Extra-Source-Only, in a pool the mirror does not serve.
      ['1:1.2.13.dfsg-1', 'bookworm'],
    ]);
    // trixie keeps 1:1.3.dfsg+really1.3.1-1 for Built-Using only: its binaries are gone, nothing builds against it.
    const trixie = versionsNewestFirst(after.sources, 'zlib', ['trixie']);
    expect(trixie.ok && trixie.value.map((r) => r.version)).toEqual(['1:1.3.dfsg+really1.3.1-1+deb13u1']);
  });
});

describe('a security upload arrives without its .dsc', () => {
  it('before it, the newest zlib of the default suites is served whole and chosen as it is', async () => {
    const served = await servedVersion(indices(before, DEFAULT_SUITES), 'zlib', DEFAULT_SUITES, capturedMirror);
    expect(served).toMatchObject({ ok: true, version: '1:1.2.13.dfsg-1', suite: 'bookworm', passedOver: [] });
  });

  it('after it, the helper passes over the new version, says why, and still answers one the mirror serves', async () => {
    const served = await servedVersion(indices(after.sources, DEFAULT_SUITES), 'zlib', DEFAULT_SUITES, capturedMirror);
    expect(served).toMatchObject({ ok: true, version: '1:1.2.13.dfsg-1', suite: 'bookworm' });
    if (!served.ok) return;
    expect(served.passedOver.map((v) => [v.record.version, v.missing[0]?.file])).toEqual([['1:1.2.13.dfsg-1+deb12u1', 'zlib_1.2.13.dfsg-1+deb12u1.dsc']]);
  });

  it('the source lacking its newest .dsc is found at test time, before and after', async () => {
    // Before, only pcre2 was in that state; after, zlib is too, and is the first candidate.
    expect(await sourceLackingNewestDsc(indices(before, DEFAULT_SUITES), ['zlib', 'pcre2'], DEFAULT_SUITES, capturedMirror))
      .toMatchObject({ ok: true, name: 'pcre2', newest: { version: '10.42-1+deb12u2' }, dsc: 'pcre2_10.42-1+deb12u2.dsc', served: { version: '10.42-1', suite: 'bookworm' } });
    expect(await sourceLackingNewestDsc(indices(after.sources, DEFAULT_SUITES), ['zlib', 'pcre2'], DEFAULT_SUITES, capturedMirror))
      .toMatchObject({ ok: true, name: 'zlib', dsc: 'zlib_1.2.13.dfsg-1+deb12u1.dsc', served: { version: '1:1.2.13.dfsg-1' } });
  });

  it('skips with a reason when no candidate is in that state', async () => {
    const found = await sourceLackingNewestDsc(indices(after.sources, DEFAULT_SUITES), ['libffi', 'pixman'], DEFAULT_SUITES, capturedMirror);
    expect(found.ok).toBe(false);
    if (found.ok) return;
    expect(found.skip).toContain('no source among libffi, pixman has a newest version');
    expect(found.skip).toContain('libffi 3.4.4-1: .dsc served');
  });

  it('stubforge served pins the version served whole and says what the newer one lacks', async () => {
    const versions = versionsNewestFirst(after.sources, 'zlib', DEFAULT_SUITES);
    if (!versions.ok) throw new Error('versions');
    const choice = await chooseServed('zlib', versions.value, capturedMirror);
    if (!choice.ok) throw new Error('no choice');
    const verdict = verdictOf(choice.value);
    expect(verdict).toMatchObject({ kind: 'pin', version: '1:1.2.13.dfsg-1', suite: 'bookworm' });
    expect(describeChecked({ choice: choice.value, verdict, pinnedByUser: false }, new Set())).toBe(
      'zlib 1:1.2.13.dfsg-1+deb12u1 (bookworm-security): the mirror does not serve zlib_1.2.13.dfsg-1+deb12u1.dsc, ' +
      'zlib_1.2.13.dfsg.orig.tar.bz2, zlib_1.2.13.dfsg-1+deb12u1.debian.tar.xz; choosing 1:1.2.13.dfsg-1 (bookworm), ' +
      'the newest version it serves whole: --pin zlib=1:1.2.13.dfsg-1');
  });
});

describe('a version a test pinned leaves the index', () => {
  const trixie = ['trixie'];
  /** trixie as the security workflow test first met it: 1:1.3.dfsg+really1.3.1-1 the current zlib. */
  const trixieBefore = after.sources
    .filter((r) => !(r.suite === 'trixie' && r.package === 'zlib' && r.version !== '1:1.3.dfsg+really1.3.1-1'))
    .map((r) => (r.suite === 'trixie' && r.package === 'zlib' ? { ...r, extraSourceOnly: false } : r));

  it('before, the new zlib of the workflow is trixie\'s current one', async () => {
    expect(await servedVersion(indices(trixieBefore, trixie), 'zlib', trixie, capturedMirror))
      .toMatchObject({ ok: true, version: '1:1.3.dfsg+really1.3.1-1', passedOver: [] });
  });

  it('after the +deb13u1 upload (no .dsc served), with the old version kept for Built-Using only, the helper skips, naming what the mirror lacks', async () => {
    const served = await servedVersion(indices(after.sources, trixie), 'zlib', trixie, capturedMirror);
    expect(served).toEqual({
      ok: false,
      skip: 'the mirror serves no version of zlib in trixie whole (1:1.3.dfsg+really1.3.1-1+deb13u1 lacks zlib_1.3.dfsg+really1.3.1-1+deb13u1.dsc, zlib_1.3.dfsg+really1.3.1-1+deb13u1.debian.tar.xz)',
    });
  });

  it('a pinned version that leaves bookworm (a point release) gives way to the newest one served whole', async () => {
    // zlib 1:1.2.13.dfsg-1 replaced in bookworm by a 1:1.2.13.dfsg-1+deb12u2 the mirror serves.
    const bookworm = after.sources.filter((r) => r.suite === 'bookworm');
    const moved = bookworm.map((r) => (r.package === 'zlib' ? { ...r, version: '1:1.2.13.dfsg-1+deb12u2' } : r));
    const servedAll: ServedProbe = () => Promise.resolve(ok([]));
    expect(await servedVersion(indices(moved, ['bookworm']), 'zlib', ['bookworm'], servedAll))
      .toMatchObject({ ok: true, version: '1:1.2.13.dfsg-1+deb12u2', suite: 'bookworm' });
  });

  it('a source the suites do not hold is a reason to skip, not a guess', async () => {
    expect(await servedVersion(indices(after.sources, trixie), 'qemu', trixie, capturedMirror)).toEqual({ ok: false, skip: 'no version of qemu in trixie' });
  });
});

describe('a source whose Debian part the mirror lacks', () => {
  it('is neither served whole nor pinnable, and --allow-orig-only is the choice to name', async () => {
    const versions = versionsNewestFirst(after.sources, 'pixman', ['bookworm']);
    if (!versions.ok) throw new Error('versions');
    const choice = await chooseServed('pixman', versions.value, capturedMirror);
    if (!choice.ok) throw new Error('no choice');
    expect(choice.value.chosen).toBeUndefined();
    expect(lacksOnlyDebianPart(choice.value.checked[0] ?? { record: versions.value[0] as SourceRecord, missing: [] })).toBe(true);
    const verdict = verdictOf(choice.value);
    expect(verdict).toMatchObject({ kind: 'orig-only', version: '0.42.2-1' });
    expect(describeChecked({ choice: choice.value, verdict, pinnedByUser: false }, new Set(['pixman'])))
      .toContain('building it from its verified orig tarball alone, as you allowed: --allow-orig-only pixman');
    // trixie's pixman lacks its .dsc as well: nothing can be built from it.
    const t = versionsNewestFirst(after.sources, 'pixman', ['trixie']);
    const none = await chooseServed('pixman', t.ok ? t.value : [], capturedMirror);
    expect(none.ok && verdictOf(none.value)).toMatchObject({ kind: 'none' });
  });
});
