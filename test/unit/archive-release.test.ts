import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clockExceptions, parseRelease } from '../../src/archive/release.js';
import { checkClearSignedShape, dearmor, readGpgvStatus } from '../../src/archive/signature.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/archive/${name}`, import.meta.url), 'utf8');
const bookworm = fixture('InRelease-bookworm');
const security = fixture('InRelease-bookworm-security');
const JULY = new Date('2026-07-12T00:00:00Z');

describe('parseRelease on the real bookworm InRelease', () => {
  const parsed = parseRelease(bookworm, { file: 'InRelease', expectSuite: 'bookworm', now: JULY });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  const release = parsed.value;

  it('reads suite, codename, date and by-hash support', () => {
    expect(release).toMatchObject({ suite: 'oldstable', codename: 'bookworm', acquireByHash: true });
    expect(release.date?.toISOString()).toBe('2026-07-11T10:16:37.000Z');
    expect(release.validUntil).toBeUndefined();
  });

  it.each([
    ['main/source/Sources.xz', 9491888, '92d11a035571df011f06f28c61cb9825130ef1d92abb2f2e0525e8674dc44af8'],
    ['main/binary-amd64/Packages.xz', 8790396, '9e0b5aabb2465b3d2e7a7fe27f9913846277833f7a2826e7767acccff5b588c5'],
  ])('takes %s with size and SHA-256 from the SHA256 field', (path, size, sha256) => {
    expect(release.files.get(path)).toEqual({ path, size, sha256 });
  });

  it('lists every SHA256 line once, in file order', () => {
    const sha256Lines = bookworm.split('SHA256:\n')[1]?.split('\n').filter((l) => l.startsWith(' ')) ?? [];
    expect([...release.files.keys()]).toEqual(sha256Lines.map((l) => l.trim().split(/\s+/)[2]));
  });
});

describe('Valid-Until (real bookworm-security InRelease, valid until 2026-11-27 00:12:41 UTC)', () => {
  it.each([
    ['before it', '2026-11-21T12:00:00Z', false, true],
    ['after it', '2026-11-28T00:00:00Z', false, false],
    ['after it, when the user allows expired files (snapshot mirrors)', '2026-11-28T00:00:00Z', true, true],
  ])('checked %s', (_what, now, allowExpired, accepted) => {
    const parsed = parseRelease(security, { file: 'sec', expectSuite: 'bookworm-security', now: new Date(now), allowExpired });
    expect(parsed.ok).toBe(accepted);
    if (!parsed.ok) {
      expect(parsed.error).toEqual({
        reason: 'expired-release', url: 'sec', validUntil: '2026-11-27T00:12:41.000Z', now: new Date(now).toISOString(),
      });
    }
  });
});

describe('Date (real bookworm InRelease, dated 2026-07-11 10:16:37 UTC): apt\'s Check-Date', () => {
  it.each([
    ['a clock after it', '2026-07-12T00:00:00Z', false, true],
    ['a clock 10 s behind it (apt\'s Max-FutureTime)', '2026-07-11T10:16:27Z', false, true],
    ['a clock 11 s behind it', '2026-07-11T10:16:26Z', false, false],
    ['a clock a day behind it', '2026-07-10T10:16:37Z', false, false],
    ['a clock a day behind it, when the user turns the clock checks off', '2026-07-10T10:16:37Z', true, true],
  ])('with %s', (_what, now, allowExpired, accepted) => {
    const parsed = parseRelease(bookworm, { file: 'u', expectSuite: 'bookworm', now: new Date(now), allowExpired });
    expect(parsed.ok).toBe(accepted);
    if (!parsed.ok) {
      expect(parsed.error).toEqual({ reason: 'release-not-yet-valid', url: 'u', date: '2026-07-11T10:16:37.000Z', now: new Date(now).toISOString() });
    }
  });
});

describe('clockExceptions: what the switch let through, said on every use', () => {
  const bookwormRelease = parseRelease(bookworm, { file: 'u', now: JULY });
  const securityRelease = parseRelease(security, { file: 'sec', now: new Date('2026-11-21T00:00:00Z') });
  if (!bookwormRelease.ok || !securityRelease.ok) throw new Error('fixtures do not parse');

  it('names nothing for a file the clock accepts', () => {
    expect(clockExceptions(bookwormRelease.value, JULY)).toEqual([]);
  });

  it('names an accepted expiry and an accepted future date', () => {
    expect(clockExceptions(securityRelease.value, new Date('2026-11-28T00:00:00Z'))).toEqual([
      { fields: { validUntil: '2026-11-27T00:12:41.000Z' }, message: 'InRelease past its Valid-Until accepted, as configured' },
    ]);
    expect(clockExceptions(bookwormRelease.value, new Date('2026-07-01T00:00:00Z'))).toEqual([
      { fields: { date: '2026-07-11T10:16:37.000Z', now: '2026-07-01T00:00:00.000Z' }, message: 'InRelease dated in the future accepted, as configured' },
    ]);
  });
});

describe('parseRelease errors', () => {
  it('refuses an InRelease signed for another suite (a replayed bookworm file served as bookworm-security)', () => {
    const parsed = parseRelease(bookworm, { file: 'u', expectSuite: 'bookworm-security', now: JULY });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatchObject({ reason: 'bad-signature', detail: expect.stringMatching(/codename "bookworm"/) });
  });

  it('reports a malformed SHA256 line with its line number', () => {
    const broken = bookworm.replace(/^ 515e692f\S+ (\d+) main\/binary-amd64\/Packages$/m, ' nothex $1 main/binary-amd64/Packages');
    const line = broken.split('\n').findIndex((l) => l.startsWith(' nothex')) + 1;
    const parsed = parseRelease(broken, { file: 'u', now: JULY });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatchObject({ reason: 'malformed-control', location: { file: 'u', line } });
  });
});

describe('checkClearSignedShape', () => {
  it.each([
    ['the real InRelease', bookworm, true],
    ['data before the armor header', `Origin: evil\n${bookworm}`, false],
    ['data after the signature', `${bookworm}Origin: evil\n`, false],
    ['two signed messages', `${bookworm}${bookworm}`, false],
    ['an unsigned file', 'Origin: Debian\n', false],
  ])('accepts only one clear-signed message: %s', (_what, text, accepted) => {
    expect(checkClearSignedShape(text).ok).toBe(accepted);
  });
});

describe('readGpgvStatus on real gpgv status output', () => {
  it('accepts the archive signatures of the real InRelease', () => {
    const status = readGpgvStatus(fixture('gpgv-status-good.txt'));
    if (!status.ok) throw new Error(status.error);
    expect(status.value.map((s) => s.primary)).toContain('B8B80B5B623EAB6AD8775C45B7C5D7D6350947F8');
  });

  it.each([
    ['a tampered file (BADSIG)', 'gpgv-status-tampered.txt', /BADSIG/],
    ['signatures by keys not in the keyring only', 'gpgv-status-unknown-keys.txt', /no good signature/],
  ])('rejects %s', (_what, file, message) => {
    const status = readGpgvStatus(fixture(file));
    expect(status.ok).toBe(false);
    if (!status.ok) expect(status.error).toMatch(message);
  });

  it('accepts one good signature among signatures by unknown keys (the release team key alone)', () => {
    expect(readGpgvStatus(fixture('gpgv-status-release-key-only.txt')).ok).toBe(true);
  });

  it.each([
    ['the primary key fingerprint', ['B8B80B5B623EAB6AD8775C45B7C5D7D6350947F8'], true],
    ['the exact signing subkey with "!"', ['4CB50190207B4758A3F73A796ED0E7B82643E131!'], true],
    ['a key that did not sign', ['0000000000000000000000000000000000000000'], false],
  ])('restricts to Signed-By fingerprints: %s', (_what, fingerprints, accepted) => {
    expect(readGpgvStatus(fixture('gpgv-status-good.txt'), fingerprints).ok).toBe(accepted);
  });

  it('rejects a signature made with SHA-1', () => {
    const sha1 = fixture('gpgv-status-good.txt').replace(/(VALIDSIG (?:\S+ ){7})8 /g, '$12 ');
    expect(readGpgvStatus(sha1)).toMatchObject({ ok: false, error: expect.stringMatching(/weak hash/) });
  });
});

describe('dearmor', () => {
  it('turns gpg --export --armor output into the bytes of gpg --export', () => {
    const armored = fixture('key-bookworm-automatic.asc');
    const binary = readFileSync(new URL('../fixtures/archive/key-bookworm-automatic.gpg', import.meta.url));
    expect(dearmor(armored)).toEqual({ ok: true, value: binary });
  });

  it('refuses text without a key block', () => {
    expect(dearmor('no key here').ok).toBe(false);
  });
});
