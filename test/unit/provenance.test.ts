import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PublishedEntry } from '../../src/cache/apt-index.js';
import { applicationOfControl, librariesOfEntries } from '../../src/cache/provenance.js';
import { affectedSet, currentLibraries } from '../../src/plan/affected.js';

const entries = JSON.parse(readFileSync(new URL('../fixtures/provenance/entries-after-zlib-rebuild.json', import.meta.url), 'utf8')) as PublishedEntry[];
const { libraries, problems } = librariesOfEntries(entries, (e) => `pool/${e.key}`);
const short = (key: string): string => key.slice(0, 12);

describe('recorded provenance of a real build cache', () => {
  it('reads one library per published key, with the -cross packages it was built against', () => {
    expect(problems).toEqual([]);
    expect(libraries).toHaveLength(8);
    const glib = libraries.find((l) => short(l.key) === 'f81b65c7c112');
    expect(glib?.depends).toEqual([
      { name: 'libffi-dev-musl-linux-amd64-cross', version: '3.4.4-1' },
      { name: 'libpcre2-dev-musl-linux-amd64-cross', version: '10.42-1' },
      { name: 'zlib1g-dev-musl-linux-amd64-cross', version: '1:1.2.13.dfsg-1' },
    ]);
  });

  it('takes the rebuilt zlib and the glib2.0 built against it as the current builds', () => {
    const current = currentLibraries(libraries);
    if (!current.ok) throw new Error(JSON.stringify(current.error));
    expect(current.value.map((l) => `${l.source} ${l.sourceVersion} ${short(l.key)}`)).toEqual([
      'glib2.0 2.74.6-2+deb12u9 99b2b7a32fb5', 'libffi 3.4.4-1 aee49154c3c5', 'pcre2 10.42-1 0ad32214f49a', 'zlib 1:1.3.dfsg+really1.3.1-1 361259d44204',
    ]);
  });

  it('finds nothing stale for the update it was rebuilt for, and glib2.0 for a pcre2 update', () => {
    const done = affectedSet({ libraries, applications: [] }, [{ source: 'zlib', version: '1:1.3.dfsg+really1.3.1-1' }]);
    expect(done.ok && done.value.libraries).toEqual([]);
    const pcre2 = affectedSet({ libraries, applications: [] }, [{ source: 'pcre2', version: '10.42-1+deb12u1' }]);
    if (!pcre2.ok) throw new Error(JSON.stringify(pcre2.error));
    expect(pcre2.value.libraries.map((a) => `${a.library.source} ${short(a.library.key)}`)).toEqual(['pcre2 0ad32214f49a', 'glib2.0 99b2b7a32fb5']);
  });
});

describe('applicationOfControl', () => {
  // The fields the application .deb writer (src/deb/app-deb.ts) gives an application package.
  const control = [
    'Package: qemu-system-xen-stubdom', 'Source: qemu (1:7.2+dfsg-7+deb12u18)', 'Version: 1:7.2+dfsg-7+deb12u18+stubforge1', 'Architecture: amd64',
    'Maintainer: stubforge local build <root@localhost>',
    'Built-Using: glib2.0 (= 2.74.6-2+deb12u9), xen (= 4.17.5+72-g01140da4e8-1)',
    'Static-Built-Using: glib2.0 (= 2.74.6-2+deb12u9), musl (= 1.2.3-1), zlib (= 1:1.2.13.dfsg-1)',
    'Description: QEMU as a Xen stub domain device model',
    'X-Stubforge-Source: qemu', 'X-Stubforge-Source-Version: 1:7.2+dfsg-7+deb12u18', 'X-Stubforge-Arch: musl-linux-amd64', 'X-Stubforge-Target: qemu-stubdom', '',
  ].join('\n');

  it('reads the target, arch, source version and what it embeds (not the source it is built from)', () => {
    const r = applicationOfControl(control, 'output/pool/qemu.deb');
    expect(r.problems).toEqual([]);
    expect(r.application).toMatchObject({
      package: 'qemu-system-xen-stubdom', arch: 'musl-linux-amd64', source: 'qemu', sourceVersion: '1:7.2+dfsg-7+deb12u18', target: 'qemu-stubdom',
      embeds: [{ source: 'glib2.0', version: '2.74.6-2+deb12u9' }, { source: 'musl', version: '1.2.3-1' }, { source: 'xen', version: '4.17.5+72-g01140da4e8-1' }, { source: 'zlib', version: '1:1.2.13.dfsg-1' }],
    });
  });
});
