import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSourceFinder } from '../../src/archive/find-source.js';
import { parseSourcesIndex } from '../../src/archive/index-records.js';
import type { SourceRecord } from '../../src/model/archive.js';

const text = readFileSync(new URL('../fixtures/archive/Sources-excerpt', import.meta.url), 'utf8');
const parsed = parseSourcesIndex(text, { file: 'Sources', suite: 'bookworm', component: 'main' });
if (!parsed.ok) throw new Error(parsed.error.message);
const bookworm = parsed.value.records;
const zlib = bookworm.find((r) => r.package === 'zlib');
if (zlib === undefined) throw new Error('no zlib in the excerpt');
/** The same record as another suite would carry it, with another version. */
const inSuite = (r: SourceRecord, suite: string, version: string): SourceRecord => ({ ...r, suite, version });

describe('createSourceFinder', () => {
  it.each([
    ['the only version', [zlib], 'zlib', undefined, '1:1.2.13.dfsg-1', 'bookworm'],
    ['the newer version from another suite (dpkg order: ~ sorts before anything)',
      [zlib, inSuite(zlib, 'bookworm-security', '1:1.2.13.dfsg-1+deb12u1')], 'zlib', undefined, '1:1.2.13.dfsg-1+deb12u1', 'bookworm-security'],
    ['not a version that is older by dpkg but newer as text',
      [zlib, inSuite(zlib, 'bookworm-updates', '1:1.2.13.dfsg-1~bpo1')], 'zlib', undefined, '1:1.2.13.dfsg-1', 'bookworm'],
    ['the version of the suite asked for',
      [zlib, inSuite(zlib, 'bookworm-security', '1:1.2.13.dfsg-1+deb12u1')], 'zlib', 'bookworm', '1:1.2.13.dfsg-1', 'bookworm'],
    ['the current alabaster, not the Extra-Source-Only one kept for Built-Using', bookworm, 'alabaster', undefined, '0.7.12-1', 'bookworm'],
  ])('finds %s', (_what, records, name, suite, version, foundSuite) => {
    const found = createSourceFinder(records)(name, suite);
    expect(found).toMatchObject({ ok: true, value: { package: name, version, suite: foundSuite } });
  });

  it('answers source-not-found for an unknown name or suite', () => {
    const find = createSourceFinder(bookworm);
    expect(find('nonexistent')).toEqual({ ok: false, error: { reason: 'source-not-found', name: 'nonexistent' } });
    expect(find('zlib', 'trixie')).toEqual({ ok: false, error: { reason: 'source-not-found', name: 'zlib', suite: 'trixie' } });
  });

  it('reports an invalid version instead of guessing an order', () => {
    const found = createSourceFinder([zlib, inSuite(zlib, 'x', '1:')])('zlib');
    expect(found).toMatchObject({ ok: false, error: { reason: 'invalid-version' } });
  });
});
