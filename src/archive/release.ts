// InRelease: download, verify with gpgv, parse. Only what the signature covers is parsed, and
// only SHA-256 sums are used (MD5Sum is ignored as apt ignores it).
//
// Valid-Until: an InRelease past its Valid-Until is an `expired-release` error, unless the caller
// allows expired files. That is the switch for snapshot mirrors (Debian's snapshot archive serves a
// security suite frozen in time, whose Valid-Until has passed): the signature still proves the
// content is Debian's, but not that it is current, so the user has to say they want it (apt's
// Check-Valid-Until=no). The clock is injected so tests and reproducible runs control "now".
//
// Date: an InRelease dated more than 10 s after "now" is a `release-not-yet-valid` error, as apt's
// Check-Date makes it ("not valid yet"; Acquire::Max-FutureTime defaults to 10 s): one of the two
// clocks is wrong, and Valid-Until cannot be judged by a clock that is behind. The same switch
// lets it through, since both are judgements of the file by this machine's clock.
import { createHash } from 'node:crypto';
import { parseDeb822 } from '../control/deb822.js';
import { err, ok, type Result } from '../model/result.js';
import type { ArchiveError } from './errors.js';
import { downloadToBuffer, type FetchLike } from './http.js';
import type { ProcessRunner } from '../io/process.js';
import { verifyClearSigned, type GoodSignature } from './signature.js';
import type { ConfiguredSuite } from './suites.js';

export interface ReleaseFileEntry {
  /** Path below `dists/<suite>/`, e.g. `main/source/Sources.xz`. */
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

export interface Release {
  readonly suite?: string;
  readonly codename?: string;
  readonly date?: Date;
  readonly validUntil?: Date;
  readonly acquireByHash: boolean;
  /** SHA256 entries by path, in the order the file lists them. */
  readonly files: ReadonlyMap<string, ReleaseFileEntry>;
}

export interface ParseReleaseOptions {
  /** URL or path named in diagnostics. */
  readonly file: string;
  /** The suite it was fetched as: must be its Suite or Codename. */
  readonly expectSuite?: string;
  readonly now: Date;
  readonly allowExpired?: boolean;
}

/** How far in the future a Release's Date may be (apt's Acquire::Max-FutureTime default). */
export const MAX_FUTURE_MS = 10_000;

const SHA256_ENTRY = /^([0-9a-f]{64})\s+(\d+)\s+(\S+)$/;

function parseDate(value: string | undefined): Date | undefined | 'invalid' {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? 'invalid' : new Date(time);
}

/** Parse the signed body of an InRelease (call after verification). */
export function parseRelease(text: string, options: ParseReleaseOptions): Result<Release, ArchiveError> {
  const parsed = parseDeb822(text, { file: options.file, signed: true });
  if (!parsed.ok) return parsed;
  const paragraph = parsed.value[0];
  const malformed = (message: string, line: number | undefined): Result<Release, ArchiveError> =>
    err({ reason: 'malformed-control', message, location: { file: options.file, ...(line === undefined ? {} : { line }) } });
  if (paragraph === undefined) return malformed('InRelease has no fields', undefined);
  if (parsed.value.length > 1) return malformed('InRelease has more than one paragraph', parsed.value[1]?.line);

  const files = new Map<string, ReleaseFileEntry>();
  const field = paragraph.field('SHA256');
  if (field === undefined) return malformed('InRelease has no SHA256 field', paragraph.line);
  const lines = field.value.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    const m = SHA256_ENTRY.exec(line);
    if (m === null) return malformed(`bad SHA256 line "${line.slice(0, 100)}"`, field.line + i);
    files.set(m[3] ?? '', { sha256: m[1] ?? '', size: Number(m[2]), path: m[3] ?? '' });
  }

  const suite = paragraph.get('Suite');
  const codename = paragraph.get('Codename');
  if (options.expectSuite !== undefined && options.expectSuite !== suite && options.expectSuite !== codename) {
    return err({
      reason: 'bad-signature', url: options.file,
      detail: `signed for suite "${suite ?? '?'}" (codename "${codename ?? '?'}"), fetched as "${options.expectSuite}"`,
    });
  }
  const date = parseDate(paragraph.get('Date'));
  if (date === 'invalid') return malformed('bad Date', paragraph.field('Date')?.line);
  if (date !== undefined && date.getTime() - MAX_FUTURE_MS > options.now.getTime() && options.allowExpired !== true) {
    return err({ reason: 'release-not-yet-valid', url: options.file, date: date.toISOString(), now: options.now.toISOString() });
  }
  const validUntil = parseDate(paragraph.get('Valid-Until'));
  if (validUntil === 'invalid') return malformed('bad Valid-Until', paragraph.field('Valid-Until')?.line);
  if (validUntil !== undefined && validUntil.getTime() < options.now.getTime() && options.allowExpired !== true) {
    return err({ reason: 'expired-release', url: options.file, validUntil: validUntil.toISOString(), now: options.now.toISOString() });
  }
  return ok({
    files, acquireByHash: paragraph.get('Acquire-By-Hash') === 'yes',
    ...(suite === undefined ? {} : { suite }),
    ...(codename === undefined ? {} : { codename }),
    ...(date === undefined ? {} : { date }),
    ...(validUntil === undefined ? {} : { validUntil }),
  });
}

/**
 * What a Release was let through despite this machine's clock (the user's switch is on): logged as
 * a warning on every use, so that an accepted stale or future file never goes unsaid.
 */
export function clockExceptions(release: Release, now: Date): readonly { readonly fields: Readonly<Record<string, string>>; readonly message: string }[] {
  const out: { fields: Record<string, string>; message: string }[] = [];
  if (release.validUntil !== undefined && release.validUntil.getTime() < now.getTime()) {
    out.push({ fields: { validUntil: release.validUntil.toISOString() }, message: 'InRelease past its Valid-Until accepted, as configured' });
  }
  if (release.date !== undefined && release.date.getTime() - MAX_FUTURE_MS > now.getTime()) {
    out.push({ fields: { date: release.date.toISOString(), now: now.toISOString() }, message: 'InRelease dated in the future accepted, as configured' });
  }
  return out;
}

export interface VerifiedRelease {
  readonly url: string;
  /** The InRelease exactly as downloaded (the cache stores it). */
  readonly raw: Buffer;
  /** SHA-256 of `raw`: the key of the index cache. */
  readonly sha256: string;
  readonly release: Release;
  readonly signatures: readonly GoodSignature[];
}

export interface ReleaseOptions {
  readonly fetch: FetchLike;
  readonly runProcess: ProcessRunner;
  readonly clock: () => Date;
  readonly tmpDir: string;
  readonly timeoutMs: number;
  readonly keyrings?: readonly string[];
  readonly allowExpired?: boolean;
  /** Where gpgv's good verdicts are remembered (gpgv-verdicts.ts). */
  readonly verdictDir?: string;
}

export function inReleaseUrl(suite: ConfiguredSuite): string {
  return `${suite.mirror}/dists/${suite.suite}/InRelease`;
}

/** Verify and parse InRelease bytes (downloaded now, or from the cache in offline mode). */
export async function verifyRelease(
  raw: Buffer,
  url: string,
  suite: ConfiguredSuite,
  options: Omit<ReleaseOptions, 'fetch'>,
): Promise<Result<VerifiedRelease, ArchiveError>> {
  const verified = await verifyClearSigned(raw, {
    runProcess: options.runProcess, tmpDir: options.tmpDir, timeoutMs: options.timeoutMs,
    ...(options.keyrings === undefined ? {} : { keyrings: options.keyrings }),
    ...(suite.signedBy === undefined ? {} : { signedBy: suite.signedBy }),
    ...(options.verdictDir === undefined ? {} : { verdicts: { dir: options.verdictDir } }),
  });
  if (!verified.ok) return err({ reason: 'bad-signature', url, detail: verified.error });
  const release = parseRelease(raw.toString('utf8'), {
    file: url, expectSuite: suite.suite, now: options.clock(),
    allowExpired: options.allowExpired === true || suite.allowExpired === true,
  });
  if (!release.ok) return release;
  const sha256 = createHash('sha256').update(raw).digest('hex');
  return ok({ url, raw, sha256, release: release.value, signatures: verified.value });
}

/** An InRelease is ~150 kB; anything past this is not one. */
const MAX_INRELEASE_BYTES = 64 * 1024 * 1024;

/** Download `dists/<suite>/InRelease` and verify it. */
export async function fetchRelease(suite: ConfiguredSuite, options: ReleaseOptions): Promise<Result<VerifiedRelease, ArchiveError>> {
  const url = inReleaseUrl(suite);
  const downloaded = await downloadToBuffer(url, { fetch: options.fetch, timeoutMs: options.timeoutMs, maxBytes: MAX_INRELEASE_BYTES });
  if (!downloaded.ok) return downloaded;
  return verifyRelease(downloaded.value.data, url, suite, options);
}
