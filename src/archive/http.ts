// HTTP through an injected fetch-like function (default: node-fetch.ts). Downloads stream
// to disk and are hashed on the way; a body longer than the size we expect is cut off at once,
// so a hostile or broken mirror cannot fill the disk. Timeouts are inactivity timeouts: a 50 MB
// index on a slow link is fine as long as bytes keep coming.
import { createHash } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { err, ok, type Result } from '../model/result.js';
import { type ArchiveError, type FileDigest } from './errors.js';
import { nodeFetch } from './node-fetch.js';
import { describeError } from '../io/describe-error.js';

export interface HttpResponse {
  readonly status: number;
  readonly body: ReadableStream<Uint8Array> | null;
}

/** The part of `fetch` stubforge uses; tests and proxies pass their own. */
export type FetchLike = (url: string, init: { readonly signal: AbortSignal }) => Promise<HttpResponse>;

export const defaultFetch: FetchLike = nodeFetch;

export interface HttpOptions {
  readonly fetch: FetchLike;
  /** Longest wait for the response headers and between two chunks of the body. */
  readonly timeoutMs: number;
}

export interface Expected {
  readonly size: number;
  readonly sha256: string;
}

export interface Downloaded {
  readonly size: number;
  readonly sha256: string;
}

/** File name used in errors: the last path component of the URL. */
export function fileOfUrl(url: string): string {
  const path = new URL(url).pathname;
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
}

/**
 * GET `url` and hand each chunk to `sink`; `maxBytes` stops the transfer as soon as it is
 * exceeded. Resolves to the byte count and SHA-256 of what was received.
 */
async function stream(
  url: string,
  options: HttpOptions & { readonly file: string; readonly maxBytes?: number },
  sink: (chunk: Uint8Array) => Promise<void> | void,
): Promise<Result<Downloaded, ArchiveError>> {
  const controller = new AbortController();
  const state = { timedOut: false };
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      state.timedOut = true;
      controller.abort();
    }, options.timeoutMs);
  };
  const unreachable = (detail: string): Result<Downloaded, ArchiveError> =>
    err({ reason: 'unreachable', url, detail });
  arm();
  try {
    const response = await options.fetch(url, { signal: controller.signal });
    if (response.status === 404 || response.status === 410) {
      await response.body?.cancel();
      return err({ reason: 'missing-file', file: options.file, url });
    }
    if (response.status < 200 || response.status > 299 || response.body === null) {
      await response.body?.cancel();
      return unreachable(`HTTP ${response.status}`);
    }
    const hash = createHash('sha256');
    let size = 0;
    const reader = response.body.getReader();
    for (;;) {
      arm();
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (options.maxBytes !== undefined && size > options.maxBytes) {
        await reader.cancel();
        return err({
          reason: 'checksum-mismatch', file: options.file, url,
          expected: { size: options.maxBytes }, actual: { size },
          detail: 'download stopped: longer than the index says',
        });
      }
      hash.update(value);
      await sink(value);
    }
    return ok({ size, sha256: hash.digest('hex') });
  } catch (error: unknown) {
    return unreachable(state.timedOut ? `no data for ${options.timeoutMs} ms` : describeError(error));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Download to `dest`, verifying size and SHA-256 when `expected` is given. On any failure `dest`
 * is removed: a partial or unverified file is never left under a name that looks finished.
 */
export async function downloadToFile(
  url: string,
  dest: string,
  options: HttpOptions & { readonly file?: string; readonly expected?: Expected },
): Promise<Result<Downloaded, ArchiveError>> {
  const file = options.file ?? fileOfUrl(url);
  const handle = await open(dest, 'w');
  let result: Result<Downloaded, ArchiveError>;
  try {
    result = await stream(url, { ...options, file, ...(options.expected === undefined ? {} : { maxBytes: options.expected.size }) }, async (chunk) => {
      await handle.write(chunk);
    });
  } finally {
    await handle.close();
  }
  if (result.ok && options.expected !== undefined) result = compare(result.value, options.expected, file, url);
  if (!result.ok) await rm(dest, { force: true });
  return result;
}

/** Download a small file (an InRelease) into memory, refusing more than `maxBytes`. */
export async function downloadToBuffer(
  url: string,
  options: HttpOptions & { readonly maxBytes: number },
): Promise<Result<{ readonly data: Buffer; readonly sha256: string }, ArchiveError>> {
  const chunks: Uint8Array[] = [];
  const result = await stream(url, { ...options, file: fileOfUrl(url) }, (chunk) => {
    chunks.push(chunk);
  });
  if (!result.ok) {
    if (result.error.reason === 'checksum-mismatch') {
      return err({ reason: 'unreachable', url, detail: `more than ${options.maxBytes} bytes` });
    }
    return result;
  }
  return ok({ data: Buffer.concat(chunks), sha256: result.value.sha256 });
}

export function compare(
  actual: Downloaded,
  expected: Expected,
  file: string,
  url: string,
): Result<Downloaded, ArchiveError> {
  if (actual.size === expected.size && actual.sha256 === expected.sha256) return ok(actual);
  const digest = (d: Expected | Downloaded): FileDigest => ({ size: d.size, sha256: d.sha256 });
  return err({ reason: 'checksum-mismatch', file, url, expected: digest(expected), actual: digest(actual) });
}
