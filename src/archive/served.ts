// The mirror side of served-choice.ts: ask the mirror for each file of a source version and note
// the ones it answers 404/410 for. Only the status is read: the body is cancelled as soon as the
// headers are in, so probing a large orig tarball costs one request, not its bytes. Nothing is
// trusted from a probe: a version chosen this way is still fetched and verified in full later.
import type { SourceRecord } from '../model/archive.js';
import { err, ok, type Result } from '../model/result.js';
import type { Archive } from './archive.js';
import { type ArchiveError } from './errors.js';
import { defaultFetch, type FetchLike } from './http.js';
import { chooseServed, versionsNewestFirst, type MissingFile, type ServedChoice, type ServedChoiceError, type ServedProbe } from './served-choice.js';
import { describeError } from '../io/describe-error.js';

export interface ProbeOptions {
  readonly fetch?: FetchLike;
  /** Longest wait for one file's response headers; default 60 s. */
  readonly timeoutMs?: number;
}

function fileUrl(mirror: string, record: SourceRecord, name: string): string {
  return `${mirror}/${record.directory}/${encodeURIComponent(name).replace(/%2B/g, '+')}`;
}

async function probeFile(url: string, file: string, options: ProbeOptions): Promise<Result<MissingFile | undefined, ArchiveError>> {
  const controller = new AbortController();
  const timer = setTimeout(() => { controller.abort(); }, options.timeoutMs ?? 60_000);
  try {
    const response = await (options.fetch ?? defaultFetch)(url, { signal: controller.signal });
    await response.body?.cancel();
    if (response.status === 404 || response.status === 410) return ok({ file, url });
    if (response.status < 200 || response.status > 299) return err({ reason: 'unreachable', url, detail: `HTTP ${response.status}` });
    return ok(undefined);
  } catch (error: unknown) {
    return err({ reason: 'unreachable', url, detail: controller.signal.aborted ? 'timed out' : describeError(error) });
  } finally {
    clearTimeout(timer);
  }
}

/** A probe of the mirror each configured suite of `archive` is read from. The .dsc is asked for first. */
export function mirrorProbe(archive: Pick<Archive, 'suites'>, options: ProbeOptions = {}): ServedProbe {
  return async (record) => {
    const suite = archive.suites.find((s) => s.suite === record.suite && s.component === record.component);
    if (suite === undefined) {
      return err({ reason: 'index-missing', suite: record.suite, file: `${record.component}/source/Sources`, detail: 'suite/component is not configured' });
    }
    const files = [...record.files].sort((a, b) => Number(b.name.endsWith('.dsc')) - Number(a.name.endsWith('.dsc')));
    const missing: MissingFile[] = [];
    for (const f of files) {
      const probed = await probeFile(fileUrl(suite.mirror, record, f.name), f.name, options);
      if (!probed.ok) return probed;
      if (probed.value !== undefined) missing.push(probed.value);
    }
    return ok(missing);
  };
}

/** The newest version of `name` in `suites` (default: every configured suite) that the mirror serves whole. */
export async function newestServed(
  archive: Pick<Archive, 'suites' | 'index'>, name: string, suites?: readonly string[], options: ProbeOptions = {},
): Promise<Result<ServedChoice, ServedChoiceError>> {
  const versions = versionsNewestFirst(archive.index.sources, name, suites);
  if (!versions.ok) return versions;
  const named = suites ?? [...new Set(archive.suites.map((s) => s.suite))];
  return chooseServed(name, versions.value, mirrorProbe(archive, options), named);
}
