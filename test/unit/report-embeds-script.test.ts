// The embeds page's filter script answers as `stubforge query embeds` does: its version order is
// dpkg's (checked against the project's comparison on every version of bookworm, captured from
// the real archive), its query reading is parseEmbedsQuery's, and its matches on the real
// Built-Using packages are matchEmbeds'.
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { embedsOfParagraph, matchEmbeds, parseEmbedsQuery, type PackageEmbeds } from '../../src/cache/embeds-query.js';
import { parseDeb822 } from '../../src/control/deb822.js';
import { EMBEDS_SCRIPT } from '../../src/report/embeds-script.js';
import { compareVersionStrings } from '../../src/version/index.js';

interface ScriptQuery { source?: string; op?: string; version?: string; error?: string }
interface FilterScript {
  compare(a: string, b: string): -1 | 0 | 1 | null;
  parseQuery(text: string): ScriptQuery;
  satisfies(version: string, q: ScriptQuery): boolean;
}

// The script as a page runs it, in a context without a document.
const context: { stubforgeEmbeds?: FilterScript } = {};
runInNewContext(EMBEDS_SCRIPT, context);
const script = context.stubforgeEmbeds as FilterScript;

const versions = readFileSync(new URL('../fixtures/versions/bookworm-versions.txt', import.meta.url), 'utf8')
  .split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.split(' ')[1] ?? '');

describe('the filter script\'s version order', () => {
  it('is dpkg\'s on neighbouring versions of bookworm (every line against the next)', () => {
    let compared = 0;
    for (let i = 1; i < versions.length; i++) {
      const a = versions[i - 1] ?? '';
      const b = versions[i] ?? '';
      const expected = compareVersionStrings(a, b);
      if (!expected.ok) continue;
      expect(script.compare(a, b), `${a} vs ${b}`).toBe(expected.value);
      expect(script.compare(b, a), `${b} vs ${a}`).toBe(-expected.value || 0);
      compared++;
    }
    expect(compared).toBeGreaterThan(30_000);
  });

  it('is dpkg\'s on the hard cases: tilde, epochs, leading zeros, letters against digits', () => {
    const cases = ['1.0~rc1', '1.0', '1.0+b1', '1.0-1', '1.0-1~bpo1', '1:0.9', '0:1.0', '1.00', '1.0a', '1.0.1', '2:1.2.13.dfsg-1', '1:1.3.dfsg+really1.3.1-1', '1:1.2.13.dfsg-1+deb12u1'];
    for (const a of cases) {
      for (const b of cases) {
        const expected = compareVersionStrings(a, b);
        expect(expected.ok).toBe(true);
        if (expected.ok) expect(script.compare(a, b), `${a} vs ${b}`).toBe(expected.value);
      }
    }
  });
});

describe('the filter script\'s query', () => {
  it.each([
    ['zlib'], ['zlib << 1:1.3'], ['zlib (<< 1:1.3)'], ['zlib (>= 1:1.2.13.dfsg-1)'], ['libffi = 3.4.4-1'],
  ])('reads %s as query embeds does', (text) => {
    const words = text.includes('(') ? [text] : text.split(' ');
    const expected = parseEmbedsQuery(words);
    expect(expected.ok).toBe(true);
    if (!expected.ok) return;
    const c = expected.value.constraint;
    expect(script.parseQuery(text)).toEqual({ source: expected.value.source, ...(c === undefined ? {} : { op: c.op, version: c.version }) });
  });

  it.each([
    ['', 'a source package name is needed'],
    ['Zlib', '"Zlib" is not a source package name'],
    ['zlib < 1.3', '"<" is not a version operator (<< <= = >= >>)'],
    ['zlib <<', '"<<" needs a version after it'],
    ['zlib << 1.3 x', 'unexpected "x" after the version'],
    ['zlib << x1', 'invalid version "x1"'],
  ])('refuses %j as query embeds does', (text, message) => {
    expect(script.parseQuery(text).error).toBe(message);
    const words = text === '' ? [] : text.split(' ');
    expect(parseEmbedsQuery(words).ok).toBe(false);
  });
});

describe('the filter script\'s matches', () => {
  const file = 'embeds/Packages-embeds-bookworm.txt';
  const parsed = parseDeb822(readFileSync(new URL(`../fixtures/${file}`, import.meta.url), 'utf8'), { file });
  if (!parsed.ok) throw new Error(parsed.error.message);
  const packages = parsed.value.map((p) => embedsOfParagraph(p, file).embeds).filter((e): e is PackageEmbeds => e !== undefined);
  const embedded = [...new Set(packages.flatMap((p) => p.embeds.map((e) => `${e.source} ${e.version}`)))];

  it('are those of matchEmbeds for every operator around every version embedded in the fixture', () => {
    expect(embedded.length).toBeGreaterThan(3);
    for (const pair of embedded) {
      const [source = '', version = ''] = pair.split(' ');
      for (const op of ['<<', '<=', '=', '>=', '>>']) {
        const expected = matchEmbeds(packages, { source, constraint: { op: op as '<<', version } }).map((m) => m.package);
        const q = script.parseQuery(`${source} ${op} ${version}`);
        const got = packages.filter((p) => p.embeds.some((e) => e.source === source && script.satisfies(e.version, q))).map((p) => p.package);
        expect(got.sort(), `${source} ${op} ${version}`).toEqual([...new Set(expected)].sort());
      }
    }
  });
});
