// The next rebuild version of an application (src/deb/app-version.ts) and the binNMU-style changelog
// stanza that goes with it (src/plan/binnmu.ts), the rule that the rebuild sorts after every version
// stubforge knows, and the binNMU suffix of `-cross` packages rebuilt without a source change.
import { describe, expect, it } from 'vitest';
import { nextApplicationVersion, nextRebuildVersion } from '../../src/deb/app-version.js';
import { binNmuChangelogEntry, changelogDate, crossBinNmuVersion } from '../../src/plan/binnmu.js';
import { compareVersionStrings } from '../../src/version/index.js';
import { APP_REBUILD_TABLE, CROSS_BINNMU_TABLE, REBUILD_VERSION_REFUSALS, REBUILD_VERSION_TABLE } from './app-rebuild-table.js';
import { describeRebuildVersionError } from '../../src/cli/deb-messages.js';


describe('nextApplicationVersion', () => {
  it.each(APP_REBUILD_TABLE)('%s after %j is %s', (source, published, expected) => {
    expect(nextApplicationVersion(source, published)).toEqual({ ok: true, value: expected });
    for (const old of published) expect(compareVersionStrings(expected, old)).toEqual({ ok: true, value: 1 });
  });

  it.each([
    ['an invalid source version', 'x1', [], 'invalid-version'],
    ['an invalid published version', '1.0-1', ['1.0-1~stubforge1', 'x'], 'invalid-version'],
    ['a newer source version already published', '1.0-1', ['1.0-2~stubforge1'], 'not-newer'],
    ['a +b rebuild of the bare source version (it sorts above every ~stubforge of it)', '1.0-1', ['1.0-1+b1'], 'not-newer'],
  ])('refuses %s', (_what, source, published, reason) => {
    const next = nextApplicationVersion(source, published);
    expect(next.ok ? 'ok' : next.error.reason).toBe(reason);
  });
});

describe('binNmuChangelogEntry', () => {
  it('writes an sbuild-style binNMU stanza naming the source update', () => {
    const text = binNmuChangelogEntry({
      source: 'qemu', version: '1:7.2+dfsg-7+deb12u18~stubforge2', distribution: 'bookworm', arch: 'musl-linux-amd64',
      updates: [{ source: 'zlib', from: ['1:1.2.13.dfsg-1'], to: '1:1.3.dfsg+really1.3.1-1' }],
      maintainer: 'stubforge local build <root@localhost>', date: new Date(Date.UTC(2026, 10, 21, 13, 5, 0)),
    });
    expect(text).toBe([
      'qemu (1:7.2+dfsg-7+deb12u18~stubforge2) bookworm; urgency=medium, binary-only=yes',
      '',
      '  * Binary-only non-maintainer upload for musl-linux-amd64; no source changes.',
      '  * Rebuild against zlib 1:1.3.dfsg+really1.3.1-1 (was 1:1.2.13.dfsg-1).',
      '',
      ' -- stubforge local build <root@localhost>  Sat, 21 Nov 2026 13:05:00 +0000',
      '',
    ].join('\n'));
  });

  it('wraps a long bullet under 80 columns', () => {
    const text = binNmuChangelogEntry({
      source: 'qemu', version: '1~stubforge2', distribution: 'bookworm', arch: 'musl-linux-amd64',
      updates: [{ source: 'xen', from: ['4.17.5+72-g01140da4e8-1', '4.17.5+23-ga4e5191dc0-1'], to: '4.17.6+11-gabcdef0123-1' }],
      maintainer: 'a <b@c>', date: new Date(0),
    });
    const lines = text.split('\n');
    expect(lines.every((l) => l.length < 80)).toBe(true);
    expect(lines[4]).toMatch(/^ {4}\S/);
  });

  it.each([
    [new Date(Date.UTC(2026, 0, 1, 0, 0, 0)), 'Thu, 01 Jan 2026 00:00:00 +0000'],
    [new Date(Date.UTC(2024, 1, 29, 23, 59, 59)), 'Thu, 29 Feb 2024 23:59:59 +0000'],
  ])('formats %s as %s', (date, expected) => {
    expect(changelogDate(date)).toBe(expected);
  });
});

describe('nextRebuildVersion: after every version stubforge knows', () => {
  it.each(REBUILD_VERSION_TABLE)('%s: %s', (_what, source, known, expected, after) => {
    const next = nextRebuildVersion(source, known.map(([version, where]) => ({ version, where })));
    expect(next.ok ? next.value.version : describeRebuildVersionError(next.error)).toBe(expected);
    if (next.ok) expect(next.value.after?.version).toBe(after);
    for (const [old] of known) expect(compareVersionStrings(expected, old)).toEqual({ ok: true, value: 1 });
  });

  it.each(REBUILD_VERSION_REFUSALS)('refuses %s, naming where it is', (_what, source, known, where) => {
    const next = nextRebuildVersion(source, known.map(([version, w]) => ({ version, where: w })));
    expect(next.ok ? 'ok' : [next.error.reason, next.error.where]).toEqual(['not-newer', where]);
    if (!next.ok) expect(describeRebuildVersionError(next.error)).toContain(`(${where})`);
  });
});

describe('crossBinNmuVersion', () => {
  it.each(CROSS_BINNMU_TABLE)('%s after %j is %s', (source, known, expected) => {
    expect(crossBinNmuVersion(source, known)).toBe(expected);
    for (const old of known) {
      const c = compareVersionStrings(expected, old);
      // It sorts after every earlier build of the same source version (and never equals one).
      expect(c.ok && c.value !== 0).toBe(true);
    }
  });

  it('answers undefined for an invalid source version', () => {
    expect(crossBinNmuVersion('not a version', [])).toBeUndefined();
  });
});
