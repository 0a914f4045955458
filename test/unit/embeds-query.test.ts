import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { embedsOfParagraph, matchEmbeds, parseEmbedsQuery, type EmbedQuery, type PackageEmbeds } from '../../src/cache/embeds-query.js';
import { parseDeb822 } from '../../src/control/deb822.js';
import { describeQueryError } from '../../src/cli/cache-messages.js';

const FIXTURE = 'embeds/Packages-embeds-bookworm.txt';
const text = readFileSync(new URL(`../fixtures/${FIXTURE}`, import.meta.url), 'utf8');

function paragraphs(source: string, file: string): ReturnType<typeof embedsOfParagraph>[] {
  const parsed = parseDeb822(source, { file });
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value.map((p) => embedsOfParagraph(p, file));
}

const real: PackageEmbeds[] = paragraphs(text, FIXTURE).map((r) => {
  if (r.embeds === undefined || r.problems.length > 0) throw new Error('fixture paragraph unreadable');
  return r.embeds;
});

// A stubforge -cross package's control, as src/cache/cross-package.ts writes it (field set and
// order of a package published by the repository integration test).
const CROSS = `Package: zlib1g-dev-musl-linux-amd64-cross
Source: zlib
Version: 1:1.2.13.dfsg-1
Architecture: all
Maintainer: stubforge local build <root@localhost>
Installed-Size: 190
Built-Using: zlib (= 1:1.2.13.dfsg-1)
Section: libdevel
Priority: optional
Multi-Arch: foreign
X-Stubforge-Source: zlib
X-Stubforge-Source-Version: 1:1.2.13.dfsg-1
X-Stubforge-Recipe-Sha256: ${'a'.repeat(64)}
X-Stubforge-Cache-Key: ${'b'.repeat(64)}
X-Stubforge-Arch: musl-linux-amd64
Description: zlib1g-dev for cross-compiling to musl-linux-amd64
`;

const query = (...words: string[]): EmbedQuery => {
  const q = parseEmbedsQuery(words);
  if (!q.ok) throw new Error(describeQueryError(q.error));
  return q.value;
};

describe('embedsOfParagraph on real Packages paragraphs', () => {
  it('reads Built-Using and Static-Built-Using with the exact versions', () => {
    const byName = new Map(real.map((p) => [p.package, p]));
    expect(byName.get('cdebootstrap-static')?.embeds.map((e) => `${e.source} ${e.version}`)).toEqual([
      'bzip2 1.0.8-5', 'cdebconf 0.270', 'glibc 2.36-9+deb12u14', 'libdebian-installer 0.124', 'xz-utils 5.4.1-1+deb12u1', 'zlib 1:1.2.13.dfsg-1',
    ]);
    expect(byName.get('certspotter')?.embeds.every((e) => e.via.join() === 'Static-Built-Using')).toBe(true);
    expect(byName.get('abpoa')?.embeds).toEqual([{ source: 'simde', version: '0.7.4~rc2-2', via: ['Built-Using'] }]);
  });

  it('gives each package the line of its paragraph', () => {
    expect(real[0]?.origin).toEqual({ file: FIXTURE, line: 1 });
    expect(real.every((p) => (p.origin.line ?? 0) >= 1)).toBe(true);
  });

  it('reads a -cross package through its provenance and Built-Using together', () => {
    const [r] = paragraphs(CROSS, 'cross.control');
    expect(r?.problems).toEqual([]);
    expect(r?.embeds?.embeds).toEqual([{ source: 'zlib', version: '1:1.2.13.dfsg-1', via: ['Built-Using', 'X-Stubforge-Source'] }]);
  });
});

describe('embedsOfParagraph problems', () => {
  it.each([
    ['a relation without a version', 'Built-Using: zlib', 'not-exact', 2],
    ['a relation with >=', 'Built-Using: zlib (>= 1.2)', 'not-exact', 2],
    ['broken syntax', 'Static-Built-Using: zlib (= 1.2', 'invalid-relation', 2],
    ['an invalid provenance version', 'X-Stubforge-Source: zlib\nX-Stubforge-Source-Version: x1', 'invalid-version', 3],
    ['provenance without its version', 'X-Stubforge-Source: zlib', 'missing-field', 2],
  ])('reports %s with its file and line', (_what, field, reason, line) => {
    const [r] = paragraphs(`Package: demo\n${field}\nVersion: 1.0\nArchitecture: amd64\n`, 'demo.control');
    expect(r?.problems.map((p) => [p.reason, p.location.file, p.location.line])).toEqual([[reason, 'demo.control', line]]);
    expect(r?.embeds?.package).toBe('demo');
  });

  it('keeps the readable relations of a field beside an unreadable one', () => {
    const [r] = paragraphs('Package: demo\nVersion: 1\nArchitecture: all\nBuilt-Using: zlib, pcre2 (= 10.42-1)\n', 'x');
    expect(r?.embeds?.embeds.map((e) => e.source)).toEqual(['pcre2']);
    expect(r?.problems).toHaveLength(1);
  });

  it('reports a paragraph without Package instead of dropping it', () => {
    const [r] = paragraphs('Version: 1\nArchitecture: all\nBuilt-Using: zlib (= 1)\n', 'x');
    expect(r?.embeds).toBeUndefined();
    expect(r?.problems.map((p) => p.reason)).toEqual(['missing-field']);
  });
});

describe('matchEmbeds', () => {
  it.each([
    [['zlib'], ['cdebootstrap-static']],
    [['zlib', '=', '1:1.2.13.dfsg-1'], ['cdebootstrap-static']],
    [['zlib', '<<', '1:1.2.13.dfsg-1'], []],
    [['zlib', '<=', '1:1.2.13.dfsg-1'], ['cdebootstrap-static']],
    // Without the epoch 1.3 is older than 1:1.2.13: the comparison is dpkg's.
    [['zlib', '<<', '1.3'], []],
    [['zlib', '<<', '1:1.3.dfsg-1'], ['cdebootstrap-static']],
    [['zlib', '>>', '1:1.2.13'], ['cdebootstrap-static']],
    [['simde', '<<', '0.7.4'], ['abpoa', 'bwa']],
    [['simde', '>=', '0.7.4'], []],
    [['golang-golang-x-net', '>=', '1:0.0'], ['certspotter', 'debiman']],
    [['golang-golang-x-net', '>=', '1:0.1'], ['certspotter']],
    [['golang-golang-x-net', '>>', '1:0.0+git20221012.0b7e1fb+dfsg-1'], ['certspotter']],
    [['golang-1.19', '<<', '1.19.6-2'], ['debiman']],
    [['openssl'], []],
    [['zlib (<< 1:1.3.dfsg-1)'], ['cdebootstrap-static']],
    [['simde (>= 0.7.4~rc2-2)'], ['abpoa', 'bwa']],
  ])('query %j matches %j', (words, packages) => {
    expect(matchEmbeds(real, query(...words)).map((m) => m.package)).toEqual(packages);
  });

  it('says at which version and through which field', () => {
    const [m] = matchEmbeds(real, query('zlib'));
    expect(m).toMatchObject({ package: 'cdebootstrap-static', version: '0.7.8+b39', sourceVersion: '1:1.2.13.dfsg-1', via: ['Built-Using'], origin: { file: FIXTURE } });
  });
});

describe('parseEmbedsQuery', () => {
  it.each([
    [[], 'a source package name is needed'],
    [['Zlib'], 'not a source package name'],
    [['zlib', '<'], 'not a version operator'],
    [['zlib', '<<'], 'needs a version'],
    [['zlib', '<<', 'x1'], 'invalid version'],
    [['zlib', '<<', '1', '2'], 'unexpected'],
    [['zlib (<< 1), pcre2'], 'is not one relation'],
    [['zlib (<< 1'], 'is not one relation'],
    [['zlib [amd64] (<< 1)'], 'is not one relation'],
  ])('refuses %j', (words, message) => {
    const q = parseEmbedsQuery(words);
    expect(q.ok).toBe(false);
    if (!q.ok) expect(describeQueryError(q.error)).toContain(message);
  });
});
