// The application version scheme (docs/application-deb.md): `<source version>~stubforge<N>`, and
// the orderings it relies on — the same table the integration test asks dpkg about.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applicationVersion, parseApplicationVersion } from '../../src/deb/app-version.js';
import { compareVersionStrings } from '../../src/version/index.js';

const table = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/app-deb/version-order.json'), 'utf8')) as { pairs: [string, string, string][] };

describe('application versions', () => {
  it.each([
    ['1:7.2+dfsg-7+deb12u18', 1, '1:7.2+dfsg-7+deb12u18~stubforge1'],
    ['1:7.2+dfsg-7+deb12u18', 2, '1:7.2+dfsg-7+deb12u18~stubforge2'],
    ['3.0.3-1', 1, '3.0.3-1~stubforge1'],
    ['1.0', 3, '1.0~stubforge3'],
  ])('%s rebuild %i is %s', (source, n, expected) => {
    expect(applicationVersion(source, n)).toEqual({ ok: true, value: expected });
    expect(parseApplicationVersion(expected)).toEqual({ sourceVersion: source, rebuild: n });
  });

  it.each([
    ['an invalid source version', 'not a version', 1],
    ['rebuild 0', '1.0-1', 0],
    ['a fractional rebuild', '1.0-1', 1.5],
  ])('refuses %s', (_what, source, n) => {
    const v = applicationVersion(source, n);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.error.reason).toBe('invalid-version');
  });

  it('finds no rebuild in a plain Debian version', () => {
    expect(parseApplicationVersion('1:7.2+dfsg-7+deb12u18')).toBeUndefined();
  });
});

describe('the ordering the scheme relies on', () => {
  it.each(table.pairs)('%s < %s: %s', (lower, higher) => {
    expect(compareVersionStrings(lower, higher)).toEqual({ ok: true, value: -1 });
    expect(compareVersionStrings(higher, lower)).toEqual({ ok: true, value: 1 });
  });
});
