import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  loadAptSources, parseDeb822Sources, parseOneLineSources, parseSignedBy, type AptEntry,
} from '../../src/archive/apt-sources.js';
import { resolveSuites } from '../../src/archive/suites.js';

const aptDir = fileURLToPath(new URL('../fixtures/archive/apt', import.meta.url));

async function fixtureEntries(): Promise<AptEntry[]> {
  const loaded = await loadAptSources(aptDir);
  if (!loaded.ok) throw new Error(loaded.error.message);
  return loaded.value.entries;
}

describe('loadAptSources', () => {
  it('reads sources.list, then *.list and *.sources of sources.list.d in name order, ignoring other files', async () => {
    const loaded = await loadAptSources(aptDir);
    if (!loaded.ok) throw new Error(loaded.error.message);
    expect(loaded.value.files.map((f) => f.slice(aptDir.length))).toEqual([
      '/sources.list',
      '/sources.list.d/backports.list',
      '/sources.list.d/debian.sources',
      '/sources.list.d/disabled.sources',
    ]);
    expect(loaded.value.entries.map((e) => [e.types.join(' '), e.suites.join(' '), e.enabled])).toEqual([
      ['deb', 'bookworm-backports', true],
      ['deb-src', 'bookworm-backports', true],
      ['deb', 'bookworm bookworm-updates', true],
      ['deb', 'bookworm-security', true],
      ['deb deb-src', 'trixie', false],
    ]);
  });

  it('succeeds with no configuration at all (the caller then needs --mirror)', async () => {
    const loaded = await loadAptSources('/nonexistent/apt');
    expect(loaded).toEqual({ ok: true, value: { entries: [], files: [] } });
  });
});

describe('parseDeb822Sources', () => {
  it('keeps URIs, suites, components, Signed-By and the line of each entry', async () => {
    const [, , main, security] = await fixtureEntries();
    expect(main).toMatchObject({
      uris: ['http://mirror.invalid/debian'], suites: ['bookworm', 'bookworm-updates'], components: ['main'],
      signedBy: { kind: 'keyrings', paths: ['/usr/share/keyrings/debian-archive-keyring.gpg'] },
      location: { line: 3 },
    });
    expect(security?.location.line).toBe(9);
  });

  it('keeps options it does not use instead of dropping them', () => {
    const parsed = parseDeb822Sources('Types: deb\nURIs: http://m.invalid/d\nSuites: s\nComponents: main\nArchitectures: amd64\n', 'f');
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(parsed.value[0]?.options).toEqual({ architectures: 'amd64' });
  });

  it.each([
    ['a field line without colon', 'Types: deb\nURIs http://m.invalid\n', 2, /not a field line/],
    ['a missing URIs field', 'Types: deb\nSuites: bookworm\nComponents: main\n', 1, /no URIs/],
    ['an unknown type', 'Types: rpm\nURIs: http://m.invalid\nSuites: a\nComponents: main\n', 1, /unknown type "rpm"/],
    ['a flat repository', 'Types: deb\nURIs: http://m.invalid\nSuites: ./\n', 3, /flat repository/],
    ['a relative Signed-By', 'Types: deb\nURIs: http://m.invalid\nSuites: a\nComponents: main\nSigned-By: key.gpg\n', 5, /absolute path/],
    ['a bad Enabled value', 'Types: deb\nURIs: http://m.invalid\nSuites: a\nComponents: main\nEnabled: maybe\n', 5, /Enabled/],
  ])('reports %s with file and line', (_what, text, line, message) => {
    const parsed = parseDeb822Sources(text, 'bad.sources');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error.reason).toBe('bad-config');
      expect(parsed.error.location).toEqual({ file: 'bad.sources', line });
      expect(parsed.error.message).toMatch(message);
    }
  });
});

describe('parseOneLineSources', () => {
  it('reads options in brackets, strips comments and keeps the line', async () => {
    const [deb, src] = await fixtureEntries();
    expect(deb).toMatchObject({
      types: ['deb'], uris: ['http://backports.mirror.invalid/debian/'], suites: ['bookworm-backports'],
      components: ['main', 'contrib'], options: { arch: 'amd64' }, location: { line: 2 },
      signedBy: { kind: 'keyrings', paths: ['/usr/share/keyrings/debian-archive-bookworm-automatic.gpg'] },
    });
    expect(src).toMatchObject({ types: ['deb-src'], location: { line: 3 } });
  });

  it.each([
    ['an unknown type', 'deb http://m.invalid/d bookworm main\ndeb-foo http://m.invalid bookworm main\n', 2, /unknown type/],
    ['a missing suite', '\n\ndeb http://m.invalid/d\n', 3, /expected/],
    ['an unclosed option list', 'deb [arch=amd64 http://m.invalid/d bookworm main\n', 1, /without "\]"/],
    ['a malformed option', 'deb [arch] http://m.invalid/d bookworm main\n', 1, /malformed option "arch"/],
    ['no component', 'deb http://m.invalid/d bookworm\n', 1, /no component/],
  ])('reports %s with file and line', (_what, text, line, message) => {
    const parsed = parseOneLineSources(text, 'sources.list');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error.location).toEqual({ file: 'sources.list', line });
      expect(parsed.error.message).toMatch(message);
    }
  });
});

describe('parseSignedBy', () => {
  it.each([
    ['keyring paths', '/a.gpg, /b.gpg', { kind: 'keyrings', paths: ['/a.gpg', '/b.gpg'] }],
    ['fingerprints', 'B8B80B5B623EAB6AD8775C45B7C5D7D6350947F8 4CB50190207B4758A3F73A796ED0E7B82643E131!',
      { kind: 'fingerprints', fingerprints: ['B8B80B5B623EAB6AD8775C45B7C5D7D6350947F8', '4CB50190207B4758A3F73A796ED0E7B82643E131!'] }],
    ['an inline key, blank armor line restored', '\n-----BEGIN PGP PUBLIC KEY BLOCK-----\n.\nmQINBGP=\n-----END PGP PUBLIC KEY BLOCK-----',
      { kind: 'inline-key', armored: '\n-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBGP=\n-----END PGP PUBLIC KEY BLOCK-----' }],
  ])('reads %s', (_what, value, expected) => {
    expect(parseSignedBy(value, 'f', 1)).toEqual({ ok: true, value: expected });
  });
});

describe('resolveSuites', () => {
  it('takes each default suite from the entry listing it: the security suite has its own base URL', async () => {
    const resolved = resolveSuites(await fixtureEntries(), {});
    if (!resolved.ok) throw new Error(resolved.error.message);
    expect(resolved.value.map((s) => [s.suite, s.component, s.mirror])).toEqual([
      ['bookworm', 'main', 'http://mirror.invalid/debian'],
      ['bookworm-updates', 'main', 'http://mirror.invalid/debian'],
      ['bookworm-security', 'main', 'http://security.mirror.invalid/debian-security'],
    ]);
    expect(resolved.value[2]?.origin?.line).toBe(9);
  });

  it('serves a suite no enabled entry lists from the entry listing bookworm', async () => {
    const resolved = resolveSuites(await fixtureEntries(), { suites: ['trixie', 'bookworm-backports'] });
    if (!resolved.ok) throw new Error(resolved.error.message);
    expect(resolved.value.map((s) => s.mirror)).toEqual([
      'http://mirror.invalid/debian', 'http://backports.mirror.invalid/debian',
    ]);
  });

  it('uses --mirror for every suite, and a per-suite mirror over it', async () => {
    const resolved = resolveSuites(await fixtureEntries(), {
      mirror: 'http://user.invalid/debian/', suiteMirrors: { 'bookworm-security': 'http://user.invalid/security' },
    });
    if (!resolved.ok) throw new Error(resolved.error.message);
    expect(resolved.value.map((s) => s.mirror)).toEqual([
      'http://user.invalid/debian', 'http://user.invalid/debian', 'http://user.invalid/security',
    ]);
    expect(resolved.value[0]?.origin).toBeUndefined();
  });

  it('lets an entry with Check-Valid-Until: no (a snapshot mirror) accept an expired InRelease', () => {
    const parsed = parseOneLineSources('deb [check-valid-until=no] http://snapshot.invalid/archive/debian/20250520T000000Z bookworm main\n', 'f');
    if (!parsed.ok) throw new Error(parsed.error.message);
    const resolved = resolveSuites(parsed.value, { suites: ['bookworm', 'trixie'] });
    expect(resolved).toMatchObject({ ok: true, value: [{ suite: 'bookworm', allowExpired: true }, { suite: 'trixie', allowExpired: true }] });
  });

  it.each([
    ['check-valid-until=no', true], ['check-date=no', true], ['check-date=yes', false],
  ])('reads [%s] as apt does: Check-Date=no turns the clock checks off (sources.list(5))', (option, off) => {
    const parsed = parseOneLineSources(`deb [${option}] http://mirror.invalid/debian bookworm main\n`, 'f');
    if (!parsed.ok) throw new Error(parsed.error.message);
    const resolved = resolveSuites(parsed.value, { suites: ['bookworm'] });
    if (!resolved.ok) throw new Error(resolved.error.message);
    expect(resolved.value[0]?.allowExpired === true).toBe(off);
  });

  it.each([
    ['no entry lists the suite or bookworm', [], {}, /no enabled apt entry lists suite "bookworm"/],
    ['the mirror is not http(s)', [], { mirror: 'file:///srv/debian' }, /unsupported URI scheme "file:"/],
  ])('is a bad-config error when %s', (_what, entries, selection, message) => {
    const resolved = resolveSuites(entries, selection, ['/etc/apt/sources.list']);
    expect(resolved.ok).toBe(false);
    if (!resolved.ok) expect(resolved.error.message).toMatch(message);
  });
});
