// Writes a DebLayout as a .deb: ar archive of `debian-binary` (`2.0\n`), `control.tar.xz`,
// `data.tar.xz`, in that order. Everything that could vary between two runs is fixed (entry order,
// owners, modes, mtimes from the layout; xz settings; ar member headers), so the same layout gives
// the same bytes. Output goes to a temporary file beside the target, fsynced, then renamed.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as tar from 'tar-stream';
import { fsyncDir } from '../io/atomic-file.js';
import type { Logger } from '../log/logger.js';
import { asSha256Hex, type Sha256Hex } from '../model/brand.js';
import { err, ok, type Result } from '../model/result.js';
import { AR_MAGIC, arPadding, encodeArHeader } from './deb-ar.js';
import type { DebLayout, TarEntry } from './deb-layout.js';
import { fitsUstar } from './deb-paths.js';
import { DEFAULT_XZ_PATH, startXzCompressor } from './xz.js';
import { describeError } from '../io/describe-error.js';

export interface DebWriterOptions {
  /** The xz binary (default /usr/bin/xz); cli/ may resolve it from PATH. */
  readonly xzPath?: string;
  readonly logger?: Logger;
}

export interface WrittenDeb {
  readonly path: string;
  readonly filename: string;
  readonly size: number;
  readonly md5: string;
  readonly sha1: string;
  readonly sha256: Sha256Hex;
  /** The DEBIAN/control text, as in the package. */
  readonly control: string;
}

/** Why a .deb was not written, with the file concerned (messages in cli/deb-messages.ts). */
export type DebWriteError =
  /** A data file differs from what describeTree recorded (size and md5, described → read now). */
  | {
      readonly reason: 'source-changed'; readonly path: string;
      readonly size: { readonly described: number; readonly actual: number };
      readonly md5: { readonly described: string; readonly actual: string };
    }
  /** A member name or link target too long for a ustar header. */
  | { readonly reason: 'not-ustar'; readonly entry: string }
  /** xz failed writing `path` (a control.tar.xz or data.tar.xz); `detail` is what it said. */
  | { readonly reason: 'compressor-failed'; readonly path: string; readonly detail: string }
  | { readonly reason: 'io-error'; readonly path: string; readonly detail: string };

const DEBIAN_BINARY = Buffer.from('2.0\n');

export async function writeDeb(layout: DebLayout, outPath: string, options: DebWriterOptions = {}): Promise<Result<WrittenDeb, DebWriteError>> {
  const xzPath = options.xzPath ?? DEFAULT_XZ_PATH;
  let tmpDir: string | undefined;
  try {
    tmpDir = await mkdtemp(join(dirname(outPath), `.${basename(outPath)}.tmp-`));
    const controlXz = join(tmpDir, 'control.tar.xz');
    const dataXz = join(tmpDir, 'data.tar.xz');
    const control = await writeTarXz(layout.controlEntries, controlXz, xzPath);
    if (!control.ok) return control;
    const data = await writeTarXz(layout.dataEntries, dataXz, xzPath);
    if (!data.ok) return data;
    const tmpDeb = join(tmpDir, layout.filename);
    const sums = await writeAr(tmpDeb, layout.mtime, [
      { name: 'debian-binary', bytes: DEBIAN_BINARY },
      { name: 'control.tar.xz', file: controlXz },
      { name: 'data.tar.xz', file: dataXz },
    ]);
    await rename(tmpDeb, outPath);
    await fsyncDir(dirname(outPath));
    options.logger?.debug({ deb: outPath, size: sums.size, sha256: sums.sha256 }, 'deb written');
    return ok({ path: outPath, filename: basename(outPath), control: layout.control, ...sums });
  } catch (e: unknown) {
    return err({ reason: 'io-error', path: outPath, detail: errorText(e) });
  } finally {
    if (tmpDir !== undefined) await rm(tmpDir, { recursive: true, force: true });
  }
}

async function writeTarXz(entries: readonly TarEntry[], outPath: string, xzPath: string): Promise<Result<void, DebWriteError>> {
  const handle = await open(outPath, 'w');
  try {
    const xz = startXzCompressor(handle.fd, xzPath);
    const pack = tar.pack();
    pack.pipe(xz.stdin);
    const abort = async (): Promise<void> => {
      pack.destroy();
      xz.kill();
      await xz.done;
    };
    let packed: Result<void, DebWriteError>;
    try {
      packed = await packEntries(pack, entries);
    } catch (e: unknown) {
      // A source file that cannot be read: stop xz, which would otherwise wait for more input.
      await abort();
      throw e;
    }
    if (!packed.ok) {
      await abort();
      return packed;
    }
    pack.finalize();
    const exit = await xz.done;
    if (!exit.ok) return err({ reason: 'compressor-failed', path: outPath, detail: exit.error });
    await handle.sync();
    return ok(undefined);
  } finally {
    await handle.close();
  }
}

async function packEntries(pack: tar.Pack, entries: readonly TarEntry[]): Promise<Result<void, DebWriteError>> {
  for (const entry of entries) {
    if (!fitsUstar(entry.name) || (entry.linkname !== undefined && entry.linkname.length > 100)) {
      return err({ reason: 'not-ustar', entry: entry.name });
    }
    const header: tar.Header = {
      name: entry.name,
      type: entry.type,
      mode: entry.mode,
      mtime: new Date(entry.mtime * 1000),
      size: entry.size,
      uid: 0,
      gid: 0,
      uname: 'root',
      gname: 'root',
      // tar-stream writes no link field for '' (headers.js: `if (opts.linkname)`).
      linkname: entry.linkname ?? '',
      devmajor: 0,
      devminor: 0,
    };
    let body: Uint8Array | undefined;
    if (entry.body?.kind === 'bytes') body = entry.body.bytes;
    if (entry.body?.kind === 'disk') {
      const { source } = entry.body;
      const { md5: described } = source;
      const bytes = await readFile(source.path);
      const md5 = createHash('md5').update(bytes).digest('hex');
      if (bytes.length !== source.size || md5 !== described) {
        return err({
          reason: 'source-changed', path: source.path,
          size: { described: source.size, actual: bytes.length }, md5: { described, actual: md5 },
        });
      }
      body = bytes;
    }
    await new Promise<void>((resolve, reject) => {
      const done = (e?: Error | null): void => { if (e) reject(e); else resolve(); };
      if (body === undefined) pack.entry(header, done);
      else pack.entry(header, body, done);
    });
  }
  return ok(undefined);
}

type ArMember = { readonly name: string; readonly bytes: Uint8Array } | { readonly name: string; readonly file: string };

interface Sums { readonly size: number; readonly md5: string; readonly sha1: string; readonly sha256: Sha256Hex }

async function writeAr(outPath: string, mtime: number, members: readonly ArMember[]): Promise<Sums> {
  const hashes = [createHash('md5'), createHash('sha1'), createHash('sha256')] as const;
  let size = 0;
  const handle = await open(outPath, 'w', 0o644);
  const put = async (chunk: Uint8Array): Promise<void> => {
    for (const h of hashes) h.update(chunk);
    size += chunk.length;
    await handle.write(chunk);
  };
  try {
    await put(Buffer.from(AR_MAGIC, 'ascii'));
    for (const member of members) {
      if ('bytes' in member) {
        await put(encodeArHeader({ name: member.name, mtime, size: member.bytes.length }));
        await put(member.bytes);
        await put(arPadding(member.bytes.length));
        continue;
      }
      const memberSize = (await handleSize(member.file));
      await put(encodeArHeader({ name: member.name, mtime, size: memberSize }));
      for await (const chunk of createReadStream(member.file)) await put(chunk as Buffer);
      await put(arPadding(memberSize));
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  const sha256 = asSha256Hex(hashes[2].digest('hex'));
  if (sha256 === undefined) throw new Error('sha256 digest is not 64 hex digits');
  return { size, md5: hashes[0].digest('hex'), sha1: hashes[1].digest('hex'), sha256 };
}

async function handleSize(path: string): Promise<number> {
  const h: FileHandle = await open(path, 'r');
  try {
    return (await h.stat()).size;
  } finally {
    await h.close();
  }
}

function errorText(e: unknown): string {
  return describeError(e);
}
