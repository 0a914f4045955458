// The exit-code functions of cli/exit-codes.ts, one per failure family: each answers what the
// command chose inline before (the numbers in docs/cli.md), and the messages rendered beside them
// keep their text.
import { describe, expect, it } from 'vitest';
import type { ArchiveError } from '../../src/archive/errors.js';
import { describeArchiveError, describeFindSourceError } from '../../src/cli/archive-messages.js';
import { describeSiteWriteError, type SiteWriteError } from '../../src/cli/commands/report-inputs.js';
import {
  cacheVerifyExitCode, checkArchiveExitCode, ExitCode, exitCodeOfAffectedError, exitCodeOfArchiveError, exitCodeOfChildBuild,
  exitCodeOfFindSourceError, exitCodeOfOutputRepoError, exitCodeOfRepoError, exitCodeOfSiteWriteError, showSourceExitCode, whyExitCode,
} from '../../src/cli/exit-codes.js';
import type { OutputRepoError } from '../../src/cache/output-repo.js';
import type { RepoError } from '../../src/cache/apt-repo.js';
import type { AffectedError } from '../../src/plan/affected.js';

const at = { file: '/tmp/x' };

describe('exit codes per failure family', () => {
  it('archive: the archive\'s, except a configuration file (usage)', () => {
    const missing: ArchiveError = { reason: 'missing-file', file: 'pool/z.dsc', url: 'http://127.0.0.1/pool/z.dsc' };
    const config: ArchiveError = { reason: 'bad-config', location: at, message: 'no suite' };
    expect(exitCodeOfArchiveError(missing)).toBe(ExitCode.archive);
    expect(exitCodeOfArchiveError(config)).toBe(ExitCode.usage);
    expect(describeArchiveError(missing)).toEqual({ message: 'the mirror does not serve pool/z.dsc (tried http://127.0.0.1/pool/z.dsc)', exitCode: 4 });
    expect(describeArchiveError(config)).toEqual({ message: '/tmp/x: no suite', exitCode: 2 });
  });

  it('find-source: an unknown source is usage, an unreadable version the archive', () => {
    expect(exitCodeOfFindSourceError({ reason: 'source-not-found', name: 'zlib' })).toBe(ExitCode.usage);
    expect(describeFindSourceError({ reason: 'source-not-found', name: 'zlib', suite: 'bookworm' }))
      .toEqual({ message: 'no source package "zlib" in bookworm', exitCode: 2 });
    expect(exitCodeOfFindSourceError({ reason: 'invalid-version', text: '1:', message: 'bad' })).toBe(ExitCode.archive);
  });

  it.each([
    ['io-error', ExitCode.host], ['lock-timeout', ExitCode.failed], ['version-exists', ExitCode.failed], ['corrupt-entry', ExitCode.failed],
  ] as const)('build cache %s exits %i', (reason, code) => {
    expect(exitCodeOfRepoError({ reason, location: at } as unknown as RepoError)).toBe(code);
  });

  it.each([
    ['not-a-deb', ExitCode.usage], ['version-exists', ExitCode.usage], ['lock-timeout', ExitCode.failed], ['sign-failed', ExitCode.failed], ['io-error', ExitCode.failed],
  ] as const)('publish: output repository %s exits %i', (reason, code) => {
    expect(exitCodeOfOutputRepoError({ reason, location: at } as unknown as OutputRepoError)).toBe(code);
  });

  it.each([
    ['not-built', ExitCode.unsolvable], ['downgrade', ExitCode.usage], ['invalid-version', ExitCode.usage], ['duplicate-update', ExitCode.usage],
  ] as const)('rebuild: affected-set %s exits %i', (reason, code) => {
    expect(exitCodeOfAffectedError({ reason, source: 'zlib' } as unknown as AffectedError)).toBe(code);
  });

  it('rebuild: a child build interrupted stays interrupted, any other failure is 1', () => {
    expect(exitCodeOfChildBuild(130)).toBe(ExitCode.interrupted);
    expect(exitCodeOfChildBuild(4)).toBe(ExitCode.failed);
    expect(exitCodeOfChildBuild(null)).toBe(ExitCode.failed);
  });

  it('report: a folder of foreign files is usage, the rest a failed write; the messages keep their text', () => {
    const cases: [SiteWriteError, number, string][] = [
      [{ reason: 'foreign-files', path: '/srv/r' }, 2, '/srv/r holds files that no stubforge report wrote: refusing to replace it (give an empty or new folder)'],
      [{ reason: 'not-a-folder', path: '/srv/r' }, 1, '/srv/r exists and is not a folder'],
      [{ reason: 'io-error', path: '/srv/r', detail: 'ENOSPC' }, 1, 'writing /srv/r: ENOSPC'],
    ];
    for (const [error, code, message] of cases) {
      expect(exitCodeOfSiteWriteError(error)).toBe(code);
      expect(describeSiteWriteError(error)).toBe(message);
    }
  });

  it('check-archive, why, cache verify and show-source answers', () => {
    expect(checkArchiveExitCode({ unsatisfiable: 0 })).toBe(0);
    expect(checkArchiveExitCode({ unsatisfiable: 2 })).toBe(1);
    expect(whyExitCode({ found: false, solved: true, problems: 0 })).toBe(1);
    expect(whyExitCode({ found: false, solved: false, problems: 0 })).toBe(3);
    expect(whyExitCode({ found: true, solved: false, problems: 1 })).toBe(3);
    expect(whyExitCode({ found: true, solved: true, problems: 0 })).toBe(0);
    expect(cacheVerifyExitCode(0)).toBe(0);
    expect(cacheVerifyExitCode(3)).toBe(1);
    expect(showSourceExitCode(0)).toBe(0);
    expect(showSourceExitCode(1)).toBe(4);
  });
});
