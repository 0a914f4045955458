// The rebuild versions and changelog stanza checked by dpkg itself: each new version sorts after
// every version published before it (`dpkg --compare-versions`) — an application's after every
// version stubforge knows, a `-cross` package's binNMU after every earlier build of its source
// version — and dpkg-parsechangelog reads the stanza with the fields Debian's binNMUs carry.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nextApplicationVersion, nextRebuildVersion } from '../../src/deb/app-version.js';
import { binNmuChangelogEntry, crossBinNmuVersion } from '../../src/plan/binnmu.js';
import { APP_REBUILD_TABLE, CROSS_BINNMU_TABLE, REBUILD_VERSION_REFUSALS, REBUILD_VERSION_TABLE } from '../unit/app-rebuild-table.js';
import { describeRebuildVersionError } from '../../src/cli/deb-messages.js';

const dir = mkdtempSync(join(tmpdir(), 'stubforge-binnmu-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const dpkgGreater = (a: string, b: string): boolean => spawnSync('dpkg', ['--compare-versions', a, 'gt', b]).status === 0;

describe('application rebuild versions, by dpkg --compare-versions', () => {
  it.each(APP_REBUILD_TABLE)('%s after %j: %s sorts after each published version', (source, published, expected) => {
    const next = nextApplicationVersion(source, published);
    expect(next).toEqual({ ok: true, value: expected });
    for (const old of published) expect(dpkgGreater(expected, old), `${expected} > ${old}`).toBe(true);
  });
});

describe('the rebuild sorts after every version stubforge knows, by dpkg --compare-versions', () => {
  it.each(REBUILD_VERSION_TABLE)('%s: %s', (_what, source, known, expected) => {
    const next = nextRebuildVersion(source, known.map(([version, where]) => ({ version, where })));
    expect(next.ok ? next.value.version : describeRebuildVersionError(next.error)).toBe(expected);
    for (const [old] of known) expect(dpkgGreater(expected, old), `${expected} > ${old}`).toBe(true);
  });

  it.each(REBUILD_VERSION_REFUSALS)('refuses %s: dpkg agrees that no ~stubforge<N> of it sorts after', (_what, source, known) => {
    expect(nextRebuildVersion(source, known.map(([version, where]) => ({ version, where }))).ok).toBe(false);
    const blocking = known.map(([v]) => v).filter((v) => !dpkgGreater(`${source}~stubforge999999`, v));
    expect(blocking.length).toBeGreaterThan(0);
  });
});

describe('-cross binNMU versions, by dpkg --compare-versions', () => {
  it.each(CROSS_BINNMU_TABLE)('%s after %j: %s', (source, known, expected) => {
    expect(crossBinNmuVersion(source, known)).toBe(expected);
    const r = spawnSync('dpkg', ['--validate-version', expected], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    // After every earlier build of the same source version (dpkg equality of the part before +b).
    const same = known.filter((v) => spawnSync('dpkg', ['--compare-versions', v.replace(/\+b\d+$/, ''), 'eq', source]).status === 0);
    for (const old of same) expect(dpkgGreater(expected, old), `${expected} > ${old}`).toBe(true);
  });
});

describe('binNMU changelog stanza, by dpkg-parsechangelog', () => {
  it('parses with the version, distribution, binary-only flag and the reason', () => {
    const stanza = binNmuChangelogEntry({
      source: 'qemu', version: '1:7.2+dfsg-7+deb12u18~stubforge2', distribution: 'bookworm', arch: 'musl-linux-amd64',
      updates: [{ source: 'zlib', from: ['1:1.2.13.dfsg-1'], to: '1:1.3.dfsg+really1.3.1-1' }],
      maintainer: 'stubforge local build <root@localhost>', date: new Date(Date.UTC(2026, 10, 21, 13, 5, 0)),
    });
    // A binNMU stanza goes on top of the source's own changelog: a real earlier entry below it.
    const file = join(dir, 'changelog');
    writeFileSync(file, `${stanza}\nqemu (1:7.2+dfsg-7+deb12u18) bookworm-security; urgency=medium\n\n  * Earlier upload.\n\n -- Debian QEMU Team <pkg-qemu-devel@lists.alioth.debian.org>  Mon, 03 Nov 2025 10:00:00 +0300\n`);
    const out = execFileSync('dpkg-parsechangelog', ['-l', file], { encoding: 'utf8' });
    expect(out).toMatch(/^Source: qemu$/m);
    expect(out).toMatch(/^Version: 1:7\.2\+dfsg-7\+deb12u18~stubforge2$/m);
    expect(out).toMatch(/^Distribution: bookworm$/m);
    expect(out).toMatch(/^Binary-Only: yes$/m);
    expect(out).toMatch(/^Timestamp: 1795266300$/m);
    expect(out).toContain('Rebuild against zlib 1:1.3.dfsg+really1.3.1-1 (was 1:1.2.13.dfsg-1).');
  });
});
