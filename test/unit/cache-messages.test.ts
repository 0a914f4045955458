// The messages of the build cache's, the output repository's, their lock's and signing's, the
// provenance reader's and the .deb reader's failures (cli/cache-messages.ts, cli/deb-messages.ts),
// against the text the code wrote before these failures became payloads.
import { describe, expect, it } from 'vitest';
import type { RepoError } from '../../src/cache/apt-repo.js';
import type { EmbedsReadError } from '../../src/cache/embeds-reader.js';
import type { LockError } from '../../src/cache/lock.js';
import type { OutputRepoError } from '../../src/cache/output-repo.js';
import type { SignError } from '../../src/cache/output-repo-sign.js';
import { parseEmbedsQuery, type EmbedsProblem } from '../../src/cache/embeds-query.js';
import type { ProvenanceProblem } from '../../src/cache/provenance.js';
import {
  describeEmbedsReadError, describeLockError, describeOutputRepoError, describeProvenanceProblem, describeQueryError, describeRepoError, describeSignError, describeStoreError,
} from '../../src/cli/cache-messages.js';
import type { StoreError } from '../../src/cache/store.js';
import { storeFailureLog } from '../../src/executor/builders/container-build.js';
import { describeDebReadError } from '../../src/cli/deb-messages.js';
import type { DebReadError } from '../../src/deb/deb-reader.js';
import { parseVersion } from '../../src/version/index.js';

const holder = { pid: 4242, host: 'builder', token: 't', since: '2026-12-03T10:00:00.000Z' };
const at = (file: string) => ({ location: { file } });

describe('.deb reader', () => {
  it.each<[DebReadError, string]>([
    [{ reason: 'not-a-deb', path: '/d/x.deb', problem: 'no-ar-magic' }, '/d/x.deb: no ar magic'],
    [{ reason: 'not-a-deb', path: '/d/x.deb', problem: 'bad-ar-header', detail: 'bad ar header size' }, '/d/x.deb: bad ar header size'],
    [{ reason: 'not-a-deb', path: '/d/x.deb', problem: 'first-member', member: 'data.tar.xz' }, '/d/x.deb: first member is data.tar.xz, not debian-binary'],
    [{ reason: 'not-a-deb', path: '/d/x.deb', problem: 'first-member' }, '/d/x.deb: first member is missing, not debian-binary'],
    [{ reason: 'not-a-deb', path: '/d/x.deb', problem: 'no-control-member' }, '/d/x.deb: no control.tar member'],
    [{ reason: 'not-a-deb', path: '/d/x.deb', problem: 'bad-control-member', detail: 'unsupported control member control.tar.zst' }, '/d/x.deb: unsupported control member control.tar.zst'],
    [{ reason: 'not-a-deb', path: '/d/x.deb', problem: 'no-control-file' }, '/d/x.deb: control.tar holds no ./control'],
    [{ reason: 'io-error', path: '/d/x.deb', detail: 'ENOENT: no such file' }, 'cannot read /d/x.deb: ENOENT: no such file'],
  ])('%j', (e, text) => {
    expect(describeDebReadError(e)).toBe(text);
  });
});

describe('lock', () => {
  it.each<[LockError, string]>([
    [{ reason: 'lock-timeout', ...at('/r/.lock'), holder }, 'timed out waiting for /r/.lock held by pid 4242 on builder since 2026-12-03T10:00:00.000Z'],
    [{ reason: 'lock-timeout', ...at('/r/.lock') }, 'timed out waiting for /r/.lock'],
    [{ reason: 'io-error', ...at('/r/.lock'), detail: 'EROFS: read-only file system' }, 'lock /r/.lock: EROFS: read-only file system'],
  ])('%j', (e, text) => {
    expect(describeLockError(e)).toBe(text);
  });
});

describe('build cache', () => {
  it.each<[RepoError, string]>([
    [{ reason: 'invalid-key', ...at('/r'), detail: 'cache key "x" is not 64 lower-case hex digits' }, 'cache key "x" is not 64 lower-case hex digits'],
    [{ reason: 'not-a-deb', ...at('/w/a.deb'), error: { reason: 'not-a-deb', path: '/r/.staging/k/a.deb', problem: 'no-ar-magic' } }, '/r/.staging/k/a.deb: no ar magic'],
    [{ reason: 'not-a-deb', ...at('/w/a.deb'), detail: '/w/a.deb: control has no Version' }, '/w/a.deb: control has no Version'],
    [{ reason: 'provenance-mismatch', ...at('/w/a.deb'), deb: '/w/a.deb', detail: 'X-Stubforge-Cache-Key is k2, not k1' }, '/w/a.deb: X-Stubforge-Cache-Key is k2, not k1'],
    [{ reason: 'provenance-mismatch', ...at('/w/a.deb'), deb: '/w/a.deb' }, '/w/a.deb: no provenance'],
    [{ reason: 'duplicate-package', ...at('/w/a.deb'), deb: '/w/a.deb', package: 'libz-dev', key: 'k1' }, '/w/a.deb: libz-dev is given twice for k1'],
    [{ reason: 'version-exists', ...at('/w/a.deb'), package: 'libz-dev', version: '1.0-1', architecture: 'all', deb: '/w/a.deb', key: 'k2', published: '/r/pool/k1/a.deb' },
      'libz-dev 1.0-1 (all): /w/a.deb (key k2) differs from /r/pool/k1/a.deb, already published under that version; one package version is one .deb — rebuild it with a new version'],
    [{ reason: 'corrupt-entry', ...at('/r/pool/k1'), key: 'k1', detail: 'entry.json: Unexpected end of JSON input' }, 'entry.json: Unexpected end of JSON input'],
    [{ reason: 'corrupt-entry', ...at('/r/pool/k1'), key: 'k1' }, 'k1 is neither publishable nor published'],
    [{ reason: 'lock-timeout', ...at('/r/.lock'), holder }, 'timed out waiting for /r/.lock held by pid 4242 on builder since 2026-12-03T10:00:00.000Z'],
    [{ reason: 'index-failed', ...at('/r/Release'), detail: 'xz exited 1' }, 'xz exited 1'],
    [{ reason: 'index-failed', ...at('/r/.lock'), stale: [{ path: 'Packages', detail: 'truncated' }], cause: { reason: 'lock-timeout', ...at('/r/.lock') } },
      'the index disagrees with the pool (Packages: truncated) and could not be regenerated: timed out waiting for /r/.lock'],
    [{ reason: 'io-error', ...at('/r'), detail: 'cannot list /r/pool: EACCES' }, 'cannot list /r/pool: EACCES'],
    [{ reason: 'io-error', ...at('/r/pool/k1'), of: 'file', failure: 'ENOSPC: no space left on device' }, '/r/pool/k1: ENOSPC: no space left on device'],
    [{ reason: 'io-error', ...at('/r/.lock'), of: 'lock', failure: 'EACCES: permission denied' }, 'lock /r/.lock: EACCES: permission denied'],
  ])('%j', (e, text) => {
    expect(describeRepoError(e)).toBe(text);
  });
});

describe('signing and the output repository', () => {
  it.each<[SignError, string]>([
    [{ reason: 'gpg-missing', ...at('/k.asc'), gpg: 'gpg' }, 'gpg is not installed (apt-get install gnupg)'],
    [{ reason: 'sign-failed', ...at('/k.asc'), gpg: 'gpg', args: ['--clearsign', 'Release'], failure: 'timeout' }, 'gpg --clearsign Release: timeout'],
    [{ reason: 'key-unusable', ...at('/k.asc'), gpg: 'gpg', args: ['--import', '/k.asc'], code: 2, stderr: 'gpg: no valid OpenPGP data found.' },
      'gpg --import /k.asc exited 2: gpg: no valid OpenPGP data found.'],
    [{ reason: 'key-unusable', ...at('/k.asc'), problem: 'no-secret-key' }, '/k.asc holds no secret key'],
    [{ reason: 'ambiguous-key', ...at('gpg key ops'), fingerprints: ['AA', 'BB'] }, 'gpg key ops names 2 secret keys (AA, BB): give one key id'],
    [{ reason: 'sign-failed', ...at('/k.asc'), detail: 'EACCES: permission denied' }, 'EACCES: permission denied'],
  ])('%j', (e, text) => {
    expect(describeSignError(e)).toBe(text);
  });

  it.each<[OutputRepoError, string]>([
    [{ reason: 'not-a-deb', ...at('/w/a.deb'), error: { reason: 'io-error', path: '/w/a.deb', detail: 'ENOENT' } }, 'cannot read /w/a.deb: ENOENT'],
    [{ reason: 'version-exists', ...at('/o/pool/a.deb'), package: 'qemu', version: '1:7.2~stubforge1', architecture: 'amd64', deb: '/w/a.deb', published: '/o/pool/a.deb' },
      'qemu 1:7.2~stubforge1 (amd64): /w/a.deb differs from /o/pool/a.deb, already published under that version: a published version is never replaced'],
    [{ reason: 'lock-timeout', ...at('/o/.lock') }, 'timed out waiting for /o/.lock'],
    [{ reason: 'sign-failed', ...at('/k.asc'), error: { reason: 'gpg-missing', ...at('/k.asc'), gpg: 'gpg' } }, 'gpg is not installed (apt-get install gnupg)'],
    [{ reason: 'io-error', ...at('/o/Packages.xz'), detail: 'xz exited 1' }, 'xz exited 1'],
    [{ reason: 'io-error', ...at('/o/pool'), of: 'file', failure: 'EROFS' }, '/o/pool: EROFS'],
  ])('%j', (e, text) => {
    expect(describeOutputRepoError(e)).toBe(text);
  });
});

describe('provenance reader', () => {
  it.each<[EmbedsReadError, string]>([
    [{ reason: 'malformed-index', location: { file: '/o/Packages', line: 3 }, detail: 'line 3: not a field' }, 'line 3: not a field'],
    [{ reason: 'malformed-index', ...at('/o/Packages.xz'), xz: 'xz: File format not recognized' }, '/o/Packages.xz: xz: File format not recognized'],
    [{ reason: 'not-a-deb', ...at('/w/a.deb'), error: { reason: 'not-a-deb', path: '/w/a.deb', problem: 'no-ar-magic' } }, '/w/a.deb: no ar magic'],
    [{ reason: 'unreadable', ...at('http://127.0.0.1:8/Packages'), url: 'http://127.0.0.1:8/Packages', fetch: 'unreachable', detail: 'ECONNREFUSED' },
      'http://127.0.0.1:8/Packages: unreachable: ECONNREFUSED'],
    [{ reason: 'unreadable', ...at('/o/dists'), failure: 'EACCES' }, '/o/dists: EACCES'],
    [{ reason: 'unreadable', ...at('/o/dists/s/Release'), listed: 'main/binary-amd64' }, '/o/dists/s/Release lists main/binary-amd64/Packages, which is not there'],
    [{ reason: 'not-a-repo', ...at('http://127.0.0.1:8/'), problem: 'dists-over-http' }, 'http://127.0.0.1:8/: a dists/ layout over http needs --suite (its suites cannot be listed)'],
    [{ reason: 'not-a-repo', ...at('/o'), problem: 'nothing-found' }, '/o: no Packages, Release or dists/ found'],
    [{ reason: 'not-a-repo', ...at('/o'), problem: 'no-release', dir: 'dists/s/' }, '/o: dists/s/ has no InRelease or Release'],
  ])('%j', (e, text) => {
    expect(describeEmbedsReadError(e)).toBe(text);
  });
});

describe('query words and provenance fields', () => {
  it.each<[string[], string]>([
    [[], 'a source package name is needed'],
    [['Zlib'], '"Zlib" is not a source package name'],
    [['zlib', '<', '1.3'], '"<" is not a version operator (<< <= = >= >>)'],
    [['zlib', '<<'], '"<<" needs a version after it'],
    [['zlib', '<<', '1.3', 'x'], 'unexpected "x" after the version'],
    [['zlib (<< 1), pcre2'], '"zlib (<< 1), pcre2" is not one relation "source (op version)"'],
  ])('query %j', (words, text) => {
    const q = parseEmbedsQuery(words);
    if (q.ok) throw new Error('expected a refusal');
    expect(describeQueryError(q.error)).toBe(text);
  });

  it('a query version that does not parse says what the parser said', () => {
    const q = parseEmbedsQuery(['zlib', '<<', 'x1']);
    const v = parseVersion('x1');
    if (q.ok || v.ok) throw new Error('expected refusals');
    expect(describeQueryError(q.error)).toBe(`invalid version "x1": ${v.error.message}`);
  });

  it.each<[EmbedsProblem | ProvenanceProblem, string]>([
    [{ reason: 'missing-field', field: 'Version', of: 'paragraph', location: { file: 'P', line: 4 } }, 'paragraph has no Version field'],
    [{ reason: 'missing-field', field: 'X-Stubforge-Source', of: 'provenance', location: { file: 'P', line: 9 } }, 'provenance without X-Stubforge-Source'],
    [{ reason: 'invalid-relation', field: 'Built-Using', detail: 'expected a package name', location: { file: 'P', line: 7 } }, 'Built-Using: expected a package name'],
    [{ reason: 'not-exact', field: 'Static-Built-Using', relation: 'zlib (>= 1)', location: { file: 'P', line: 8 } },
      'Static-Built-Using: "zlib (>= 1)" does not name an exact version (= ...)'],
    [{ reason: 'invalid-version', field: 'X-Stubforge-Source-Version', version: 'x1', detail: 'bad', location: { file: 'P', line: 9 } }, 'X-Stubforge-Source-Version "x1": bad'],
    [{ reason: 'control-unreadable', package: 'libz-dev', location: { file: '/r/pool/k' } }, 'libz-dev: control unreadable'],
    [{ reason: 'invalid-depends', package: 'libz-dev', detail: 'bad relation', location: { file: '/r/pool/k:libz-dev', line: 5 } }, 'libz-dev: Depends: bad relation'],
    [{ reason: 'empty-control', location: { file: 'a.deb' } }, 'empty control'],
    [{ reason: 'malformed-control', detail: 'a.deb:1: not a field', location: { file: 'a.deb' } }, 'a.deb:1: not a field'],
  ])('provenance %j', (p, text) => {
    expect(describeProvenanceProblem(p)).toBe(text);
  });
});

describe('artifact store', () => {
  it.each<[StoreError, string]>([
    [{ reason: 'invalid-key', ...at('/s'), detail: 'cache key "x" is not 64 lower-case hex digits' }, 'cache key "x" is not 64 lower-case hex digits'],
    [{ reason: 'invalid-name', ...at('/s/k'), name: '../x' }, 'store name "../x" must be a plain file name'],
    [{ reason: 'io-error', ...at('/s/k/build.log'), failure: 'ENOSPC: no space left on device' }, '/s/k/build.log: ENOSPC: no space left on device'],
  ])('%j', (e, text) => {
    expect(describeStoreError(e)).toBe(text);
  });

  it('the builders log the message the command renders, or the reason alone without a renderer', () => {
    const e: StoreError = { reason: 'invalid-name', ...at('/s/k'), name: '../x' };
    expect(storeFailureLog(e, { describeStoreError })).toEqual({ detail: 'store name "../x" must be a plain file name' });
    expect(storeFailureLog(e, {})).toEqual({ reason: 'invalid-name' });
  });
});
