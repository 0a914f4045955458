// The archive options every archive-reading command shares, and opening the archive with them.
import type { ParseArgsConfig } from 'node:util';
import { openArchive, type Archive, type ArchiveOptions } from '../archive/archive.js';
import { err, ok, type Result } from '../model/result.js';
import { describeArchiveError, type Failure } from './archive-messages.js';
import type { CliContext } from './command.js';
import { resolvePaths } from './config.js';
import { ExitCode } from './exit-codes.js';

export const ARCHIVE_OPTIONS = {
  suite: { type: 'string', multiple: true },
  mirror: { type: 'string' },
  keyring: { type: 'string', multiple: true },
  offline: { type: 'boolean' },
  'allow-expired-release': { type: 'boolean' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export interface ArchiveArgs {
  readonly suite?: string[] | undefined;
  readonly mirror?: string | undefined;
  readonly keyring?: string[] | undefined;
  readonly offline?: boolean | undefined;
  readonly 'allow-expired-release'?: boolean | undefined;
}

export const ARCHIVE_USAGE =
  '  --suite S          read suite S (repeatable; default bookworm, bookworm-updates, bookworm-security)\n' +
  '  --mirror URL       mirror base URL for every suite (default: this machine\'s apt configuration)\n' +
  '  --keyring FILE     verify InRelease with this keyring (repeatable)\n' +
  '  --offline          use cached indices only\n' +
  '  --allow-expired-release  accept an InRelease past its Valid-Until (snapshot mirrors) or dated\n' +
  '                     in the future (a wrong clock): no InRelease is judged by the clock\n';

/** The archive options a command's arguments ask for; `STUBFORGE_MIRROR` stands in for `--mirror`. */
export function archiveOptionsFromArgs(args: ArchiveArgs, ctx: CliContext): ArchiveOptions {
  const mirror = args.mirror ?? ctx.env.STUBFORGE_MIRROR;
  return {
    cacheDir: resolvePaths(ctx.env, ctx.cwd).cacheDir,
    logger: ctx.log,
    ...(args.suite === undefined ? {} : { suites: args.suite }),
    ...(mirror === undefined || mirror === '' ? {} : { mirror }),
    ...(args.keyring === undefined ? {} : { keyrings: args.keyring }),
    ...(args.offline === true ? { offline: true } : {}),
    ...(args['allow-expired-release'] === true ? { allowExpiredRelease: true } : {}),
  };
}

/** apt suite names are plain words (bookworm-security); they become folder names in the cache. */
const SUITE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

/** `--suite ../x` and the like are refused as a bad command line, before anything is fetched. */
export function checkSuiteNames(suites: readonly string[] | undefined): Result<void, Failure> {
  for (const suite of suites ?? []) {
    if (!SUITE_NAME.test(suite)) {
      return err({ message: `--suite ${JSON.stringify(suite)}: not a suite name (letters, digits and . _ + - only, as apt's suites are)`, exitCode: ExitCode.usage });
    }
  }
  return ok(undefined);
}

/** Open the archive with the user's options. */
export async function openArchiveFromArgs(args: ArchiveArgs, ctx: CliContext): Promise<Result<Archive, Failure>> {
  const named = checkSuiteNames(args.suite);
  if (!named.ok) return named;
  const archive = await openArchive(archiveOptionsFromArgs(args, ctx));
  if (!archive.ok) return err(describeArchiveError(archive.error));
  for (const d of archive.value.diagnostics) ctx.log.warn({ diagnostic: d }, 'index paragraph skipped');
  return ok(archive.value);
}
