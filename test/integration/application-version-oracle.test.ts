// The application version scheme against dpkg itself: every pair of the table the scheme relies
// on (test/fixtures/app-deb/version-order.json; the unit test checks the same table with
// stubforge's own comparison) in both directions through `dpkg --compare-versions`, and the
// versions applicationVersion makes from the archive's versions are ones dpkg accepts.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applicationVersion } from '../../src/deb/app-version.js';
import { describeDebLayoutError } from '../../src/cli/deb-messages.js';

const table = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/app-deb/version-order.json'), 'utf8')) as { pairs: [string, string, string][] };

const dpkgSays = (a: string, op: string, b: string): boolean => spawnSync('dpkg', ['--compare-versions', a, op, b]).status === 0;

describe('dpkg --compare-versions on the application version scheme', () => {
  it.each(table.pairs)('%s << %s (%s)', (lower, higher) => {
    expect(dpkgSays(lower, 'lt', higher)).toBe(true);
    expect(dpkgSays(higher, 'gt', lower)).toBe(true);
  });

  it.each([['1:7.2+dfsg-7+deb12u18', 1], ['1:1.2.13.dfsg-1', 2], ['3.0.3-1', 10]])('accepts the version made from %s, rebuild %i', (source, n) => {
    const v = applicationVersion(source, n);
    if (!v.ok) throw new Error(describeDebLayoutError(v.error));
    const r = spawnSync('dpkg', ['--validate-version', v.value], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(dpkgSays(v.value, 'lt', source)).toBe(true);
  });
});
