import { describe, expect, it } from 'vitest';
import type { VersionConstraint } from '../../src/model/relation.js';
import {
  checkConstraint,
  compareVersions,
  compareVersionStrings,
  parseVersion,
  satisfiesConstraint,
  type DebVersion,
} from '../../src/version/index.js';

function v(text: string): DebVersion {
  const r = parseVersion(text);
  if (!r.ok) throw new Error(`${text}: ${r.error.message}`);
  return r.value;
}

describe('compareVersions', () => {
  // Every expected answer here is what `dpkg --compare-versions` (dpkg 1.21.23) says; the
  // integration test version-oracle.test.ts asks the live binary about 20,000 real pairs.
  it.each([
    ['1.0', '1.0', 0],
    ['1.0', '1.1', -1],
    ['1.1', '1.0', 1],
    ['1.0', '1:0.1', -1],
    ['1:1.0', '2:0.1', -1],
    ['0:1.0', '1.0', 0],
    ['00:1.0', '1.0', 0],
    ['1.0~rc1', '1.0', -1],
    ['1.0~~', '1.0~', -1],
    ['1.0~~a', '1.0~~', 1],
    ['1.0~', '1.0', -1],
    ['1.0', '1.0+', -1],
    ['1.0+', '1.0.', -1],
    ['1.0.', '1.0a', 1],
    ['1.0a', '1.0A', 1],
    ['1.0Z', '1.0a', -1],
    ['1.0', '1.0a', -1],
    ['1.0~', '1.0a', -1],
    ['1.0-1', '1.0-0', 1],
    ['1.0', '1.0-0', 0],
    ['1.0-0', '1.0-00', 0],
    ['1.0', '1.0-1', -1],
    ['1.0-1', '1.0-1~bpo1', 1],
    ['1.0-1~bpo1', '1.0-1+deb12u1', -1],
    ['1.0-1+b1', '1.0-1.1', -1],
    ['1.0-1+deb12u1', '1.0-1+b1', 1],
    ['1.2.3', '1.2.10', -1],
    ['1.02', '1.2', 0],
    ['10', '9', 1],
    ['1.0.0', '1.0', 1],
    ['1.0', '1.0.0~', -1],
    ['1a1', '1a01', 0],
    ['1-2-3', '1-2-4', -1],
    ['1-2-3', '1-2.3', 1],
    ['2:1.0', '1:9999', 1],
    ['1:1:2', '1:1:10', -1],
    ['1:1.0-a', '1:1.0-A', 1],
    ['1.0+dfsg-1', '1.0-1', 1],
    ['1.0+dfsg-1', '1.0.1-1', -1],
    ['12345678901234567890123456789012345678901', '12345678901234567890123456789012345678902', -1],
    ['99999999999999999999999999999999999999999999', '100000000000000000000000000000000000000000000', -1],
    ['0000000000000000000000000000000001', '1', 0],
    ['1.0-99999999999999999999999999999', '1.0-100000000000000000000000000000', -1],
    ['7.2+dfsg-7+deb12u18', '1:7.2+dfsg-7', -1],
    ['2.74.6-2+deb12u9', '2.74.6-2+deb12u10', -1],
    ['10.42-1', '10.42-1~', 1],
    ['0.42.2-1', '0.42.2', 1],
    ['4.17.5+72-g01140da4e8-1', '4.17.5-1', 1],
    ['2147483647:1', '2147483646:9', 1],
  ] as const)('orders %s against %s as %i, as dpkg does', (a, b, expected) => {
    expect(compareVersions(v(a), v(b))).toBe(expected);
    expect(compareVersions(v(b), v(a))).toBe(-expected || 0);
  });
});

describe('parseVersion', () => {
  it.each([
    ['1.0', 0, '1.0', ''],
    ['1:1.0-1', 1, '1.0', '1'],
    ['00:1.0', 0, '1.0', ''],
    ['1:1:2', 1, '1:2', ''],
    ['1:1-2-3', 1, '1-2', '3'],
    ['1.0-1~bpo1', 0, '1.0', '1~bpo1'],
    ['1.0-~', 0, '1.0', '~'],
    ['4.17.5+72-g01140da4e8-1', 0, '4.17.5+72-g01140da4e8', '1'],
    ['2147483647:1', 2147483647, '1', ''],
    [' \t1.0 ', 0, '1.0', ''],
  ])('splits %j into epoch %i, upstream %j, revision %j', (text, epoch, upstream, revision) => {
    expect(v(text)).toEqual({ epoch, upstream, revision, text: text.trim() });
  });

  // Messages are dpkg's (lib/dpkg/parsehelp.c). Where stubforge is stricter than the C code: a
  // signed epoch (`+1:`, which C strtol takes; deb-version(7) and Perl's Dpkg::Version do not),
  // and "does not start with digit" / "invalid character", which dpkg only warns about.
  it.each([
    ['', 'version string is empty', undefined],
    ['  ', 'version string is empty', undefined],
    ['1 .0', 'version string has embedded spaces', 1],
    [':1.0', 'epoch in version is empty', 0],
    ['a:1.0', 'epoch in version is empty', 0],
    ['1.0:2', 'epoch in version is not number', 1],
    ['1.0-1:2', 'epoch in version is not number', 1],
    ['+1:1.0', 'epoch in version is not number', 0],
    ['-1:1.0', 'epoch in version is not number', 0],
    ['2147483648:1', 'epoch in version is too big', 0],
    ['99999999999999999999:1', 'epoch in version is too big', 0],
    ['1:', 'nothing after colon in version number', 2],
    ['1.0-', 'revision number is empty', 3],
    ['-1', 'version number is empty', 0],
    ['1:-1', 'version number is empty', 2],
    ['a1', 'version number does not start with digit', 0],
    ['~1', 'version number does not start with digit', 0],
    ['1:a', 'version number does not start with digit', 2],
    ['1_0', 'invalid character in version number', 1],
    ['1.0/2', 'invalid character in version number', 3],
    ['1.0-a_b', 'invalid character in revision number', 5],
    ['1.0-1:2.3', 'epoch in version is not number', 1],
    ['1.0\u00e9', 'invalid character in version number', 3],
  ])('rejects %j: %s', (text, message, offset) => {
    const r = parseVersion(text, { file: 'debian/changelog', line: 1 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ reason: 'invalid-version', message, text, location: { file: 'debian/changelog', line: 1 } });
    expect(r.error.offset).toBe(offset);
  });
});

describe('compareVersionStrings', () => {
  it('answers an ordering for two valid versions', () => {
    expect(compareVersionStrings('1:1.2.13.dfsg-1', '1.2.13.dfsg-1')).toEqual({ ok: true, value: 1 });
  });

  it.each([['abc', '1.0'], ['1.0', '1.0-']])('answers an error, never a number, for %j vs %j', (a, b) => {
    const r = compareVersionStrings(a, b);
    expect(r.ok).toBe(false);
  });
});

describe('satisfiesConstraint', () => {
  it.each([
    ['1.0', '<<', '1.1', true],
    ['1.1', '<<', '1.1', false],
    ['1.1', '<=', '1.1', true],
    ['1.0-0', '=', '1.0', true],
    ['1.0-1', '=', '1.0', false],
    ['1.0~rc1', '>=', '1.0~', true],
    ['1.0~rc1', '>=', '1.0', false],
    ['1:0.1', '>>', '9.9', true],
    ['2.74.6-2+deb12u9', '>=', '2.56', true],
  ] as const)('%s %s %s is %s', (version, op, wanted, expected) => {
    const constraint: VersionConstraint = { op, version: wanted };
    expect(satisfiesConstraint(v(version), constraint)).toBe(expected);
    expect(checkConstraint(v(version), constraint)).toEqual({ ok: true, value: expected });
  });

  it('reports an unvalidated invalid constraint version as an error value', () => {
    const r = checkConstraint(v('1.0'), { op: '>=', version: 'x1' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toBe('version number does not start with digit');
  });
});
