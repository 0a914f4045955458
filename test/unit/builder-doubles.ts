// What the builders' unit tests stand on. The container engine is the one part replaced: a
// recording `ContainerRuntime` keeps every step's spec and plays the container's part (lines on its
// output, files into the /out mount, an exit code), because these tests claim to test the builders,
// not Docker (test/integration/executor.test.ts runs the same builders on the real engine). The
// archive is a fixture `Archive` over the Sources excerpt captured from bookworm
// (test/fixtures/solver); the unpacked tree it hands out holds zlib's real debian/copyright
// (test/fixtures/app-deb) and a debian/control and changelog stanza written from the captured
// record. Everything else is real: the recipe loader, the drivers, the apt repository in a
// temporary folder, dpkg-deb's format through the project's own writer, xz.
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Archive, FetchedSource } from '../../src/archive/archive.js';
import type { ArchiveError } from '../../src/archive/errors.js';
import type { SourceRecord } from '../../src/model/archive.js';
import { err, ok, type Result } from '../../src/model/result.js';
import type { ContainerRuntime, RuntimeError, StepHandle, StepOutcome, StepSpec } from '../../src/runtime/container-runtime.js';
import { fixtureIndex, ROOT } from './solver-fixtures.js';

/** What the "container" does: files it writes below /out, lines it prints, how it ends. */
export interface ContainerPart {
  readonly files?: Readonly<Record<string, string>>;
  readonly lines?: readonly string[];
  readonly exitCode?: number;
  readonly oomKilled?: boolean;
  /** Called when the step has finished, before the runtime answers (an interrupt arriving late). */
  readonly after?: () => void;
}

export interface RecordingRuntime {
  readonly runtime: ContainerRuntime;
  readonly steps: StepSpec[];
}

const unused = (operation: string): Promise<Result<never, RuntimeError>> =>
  Promise.resolve(err({ reason: 'engine-error', operation, detail: 'not used by the builders', location: { file: 'recording-runtime' } }));

export function recordingRuntime(part: ContainerPart): RecordingRuntime {
  const steps: StepSpec[] = [];
  const runtime: ContainerRuntime = {
    ping: () => unused('ping'),
    inspectImage: () => unused('inspectImage'),
    listContainers: () => unused('listContainers'),
    removeContainer: () => unused('removeContainer'),
    importImage: () => unused('importImage'),
    buildImage: () => unused('buildImage'),
    listImages: () => unused('listImages'),
    removeImage: () => unused('removeImage'),
    createStep: (spec) => {
      steps.push(spec);
      const out = spec.mounts?.find((m) => m.target === '/out')?.source;
      const handle: StepHandle = {
        id: `recorded-${String(steps.length)}`,
        run: async (onLine, signal): Promise<Result<StepOutcome, RuntimeError>> => {
          if (signal?.aborted === true) return err({ reason: 'interrupted', location: { file: 'recording-runtime' } });
          for (const line of part.lines ?? []) onLine('stdout', line);
          for (const [path, text] of Object.entries(part.files ?? {})) {
            if (out === undefined) throw new Error('the step has no /out mount');
            await mkdir(dirname(join(out, path)), { recursive: true });
            await writeFile(join(out, path), text);
          }
          part.after?.();
          return ok({ exitCode: part.exitCode ?? 0, timedOut: false, durationMs: 1, oomKilled: part.oomKilled ?? false });
        },
        remove: () => Promise.resolve(ok(undefined)),
        [Symbol.asyncDispose]: () => Promise.resolve(),
      };
      return Promise.resolve(ok(handle));
    },
  };
  return { runtime, steps };
}

/** zlib 1:1.2.13.dfsg-1 as the captured bookworm Sources excerpt lists it. */
export function zlibRecord(): SourceRecord {
  const record = fixtureIndex().sources.find((s) => s.package === 'zlib' && s.version === '1:1.2.13.dfsg-1');
  if (record === undefined) throw new Error('zlib 1:1.2.13.dfsg-1 is not in test/fixtures/solver');
  return record;
}

/** The Maintainer field of the record's paragraph in the captured Sources excerpt. */
export async function capturedMaintainer(record: SourceRecord): Promise<string> {
  const text = await readFile(join(ROOT, 'test/fixtures/solver/bookworm-main-Sources'), 'utf8');
  const paragraph = text.split(/\n\n+/).find((p) => p.startsWith(`Package: ${record.package}\n`) && p.includes(`\nVersion: ${record.version}\n`));
  const maintainer = /^Maintainer: (.+)$/m.exec(paragraph ?? '')?.[1];
  if (maintainer === undefined) throw new Error(`no Maintainer of ${record.package} in the Sources excerpt`);
  return maintainer;
}

/** An unpacked tree of the record: debian/control, a changelog stanza and, unless left out, the real debian/copyright. */
export async function sourceTreeOf(record: SourceRecord, options: { readonly copyright?: boolean } = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'stubforge-builder-src-'));
  await mkdir(join(dir, 'debian'));
  const maintainer = await capturedMaintainer(record);
  await writeFile(join(dir, 'debian/control'), `Source: ${record.package}\nMaintainer: ${maintainer}\n`);
  await writeFile(join(dir, 'debian/changelog'),
    `${record.package} (${record.version}) unstable; urgency=medium\n\n  * Upload.\n\n -- ${maintainer}  Thu, 13 Oct 2022 20:00:00 +0100\n`);
  if (options.copyright !== false) {
    await writeFile(join(dir, 'debian/copyright'), await readFile(join(ROOT, 'test/fixtures/app-deb', `${record.package}.copyright`)));
  }
  return dir;
}

/** An `Archive` over the captured index; `fetchSource` answers the tree given, or the error. */
export function fixtureArchive(answer: { readonly dir: string } | { readonly error: ArchiveError }): Archive & { readonly fetched: SourceRecord[] } {
  const fetched: SourceRecord[] = [];
  const index = fixtureIndex();
  return {
    index, suites: [], releases: [], diagnostics: [], fetched,
    findSource: () => { throw new Error('not used by the builders'); },
    fetchSource: (record): Promise<Result<FetchedSource, ArchiveError>> => {
      fetched.push(record);
      return Promise.resolve('error' in answer ? err(answer.error) : ok({ dir: answer.dir, record, reused: false }));
    },
  };
}
