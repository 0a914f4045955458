import { describe, expect, it } from 'vitest';
import { loadEnvironmentMirror } from '../../src/cli/env-mirror.js';

// The apt configuration fixture (placeholder hosts, shaped like Debian 12's files).
const APT_DIR = new URL('../fixtures/archive/apt', import.meta.url).pathname;

describe('loadEnvironmentMirror', () => {
  it('takes the mirror from the deb822 entry listing the suite, with -updates and -security as extra entries', async () => {
    const found = await loadEnvironmentMirror('bookworm', APT_DIR);
    if (!found.ok) throw new Error(found.error.reason);
    expect(found.value.mirror).toBe('http://mirror.invalid/debian');
    expect(found.value.location).toEqual({ file: `${APT_DIR}/sources.list.d/debian.sources`, line: 3 });
    expect(found.value.extraSources).toEqual([
      { uris: ['http://mirror.invalid/debian'], suites: ['bookworm-updates'], components: ['main'], signedBy: '/usr/share/keyrings/debian-archive-keyring.gpg' },
      { uris: ['http://security.mirror.invalid/debian-security'], suites: ['bookworm-security'], components: ['main'], signedBy: '/usr/share/keyrings/debian-archive-keyring.gpg' },
    ]);
  });

  it('reads one-line sources.list entries too', async () => {
    const found = await loadEnvironmentMirror('bookworm-backports', APT_DIR);
    expect(found.ok && found.value.mirror).toBe('http://backports.mirror.invalid/debian/');
  });

  it.each([
    ['trixie', 'listed only by a disabled entry'],
    ['sid', 'listed only in a file apt ignores (.list.save)'],
    ['bullseye', 'not listed at all'],
  ])('answers no-mirror for %s (%s)', async (suite) => {
    const found = await loadEnvironmentMirror(suite, APT_DIR);
    expect(found.ok).toBe(false);
    if (!found.ok) expect(found.error).toMatchObject({ reason: 'no-mirror', suite });
  });
});
