// Reads the control file out of a .deb (I/O): the ar members, control.tar.{xz,gz} or plain
// control.tar, and its `./control` entry. The repository uses it to index exactly what a
// package says about itself, not what a caller claims.
import { gunzipSync } from 'node:zlib';
import { open } from 'node:fs/promises';
import * as tar from 'tar-stream';
import { err, ok, type Result } from '../model/result.js';
import { AR_HEADER_SIZE, AR_MAGIC, decodeArHeader } from './deb-ar.js';
import { DEFAULT_XZ_PATH, runXz } from './xz.js';
import { describeError } from '../io/describe-error.js';

/** Why a .deb's control file could not be read, with the file (`path`); messages in cli/deb-messages.ts. */
export type DebReadError = { readonly path: string } & (
  | { readonly reason: 'not-a-deb'; readonly problem: 'no-ar-magic' | 'no-control-member' | 'no-control-file' }
  /** The first ar member, when it is not debian-binary (undefined: the archive has none). */
  | { readonly reason: 'not-a-deb'; readonly problem: 'first-member'; readonly member?: string }
  /** `detail`: what the ar header decoder, or the decompression of the control member, said. */
  | { readonly reason: 'not-a-deb'; readonly problem: 'bad-ar-header' | 'bad-control-member'; readonly detail: string }
  | { readonly reason: 'io-error'; readonly detail: string }
);

type NotADeb = Extract<DebReadError, { reason: 'not-a-deb' }>;
/** The variants of NotADeb without the fields readDebControl fills in. */
type NotADebProblem = NotADeb extends infer T ? T extends NotADeb ? Omit<T, 'reason' | 'path'> : never : never;

export interface DebMembers {
  /** Member names in archive order: `debian-binary`, `control.tar.xz`, `data.tar.xz`. */
  readonly members: readonly string[];
  readonly control: string;
}

export async function readDebControl(path: string, xzPath = DEFAULT_XZ_PATH): Promise<Result<DebMembers, DebReadError>> {
  const notDeb = (problem: NotADebProblem): Result<DebMembers, DebReadError> => err({ reason: 'not-a-deb', path, ...problem });
  let members: string[] = [];
  let controlTar: { name: string; bytes: Buffer } | undefined;
  try {
    const handle = await open(path, 'r');
    try {
      const size = (await handle.stat()).size;
      const magic = Buffer.alloc(AR_MAGIC.length);
      await handle.read(magic, 0, magic.length, 0);
      if (magic.toString('latin1') !== AR_MAGIC) return notDeb({ problem: 'no-ar-magic' });
      let offset = AR_MAGIC.length;
      while (offset < size) {
        const headerBytes = Buffer.alloc(AR_HEADER_SIZE);
        const { bytesRead } = await handle.read(headerBytes, 0, AR_HEADER_SIZE, offset);
        const header = decodeArHeader(headerBytes.subarray(0, bytesRead));
        if (!header.ok) return notDeb({ problem: 'bad-ar-header', detail: header.error });
        members = [...members, header.value.name];
        const dataOffset = offset + AR_HEADER_SIZE;
        if (header.value.name.startsWith('control.tar')) {
          const bytes = Buffer.alloc(header.value.size);
          await handle.read(bytes, 0, bytes.length, dataOffset);
          controlTar = { name: header.value.name, bytes };
        }
        offset = dataOffset + header.value.size + (header.value.size % 2);
      }
    } finally {
      await handle.close();
    }
  } catch (e: unknown) {
    return err({ reason: 'io-error', path, detail: describeError(e) });
  }
  if (members[0] !== 'debian-binary') return notDeb({ problem: 'first-member', ...(members[0] === undefined ? {} : { member: members[0] }) });
  if (controlTar === undefined) return notDeb({ problem: 'no-control-member' });
  const plain = await decompress(controlTar.name, controlTar.bytes, xzPath);
  if (!plain.ok) return notDeb({ problem: 'bad-control-member', detail: plain.error });
  const control = await extractControl(plain.value);
  if (control === undefined) return notDeb({ problem: 'no-control-file' });
  return ok({ members, control });
}

async function decompress(name: string, bytes: Buffer, xzPath: string): Promise<Result<Buffer, string>> {
  if (name === 'control.tar') return ok(bytes);
  if (name === 'control.tar.xz') return runXz(bytes, 'decompress', xzPath);
  if (name === 'control.tar.gz') {
    try {
      return ok(gunzipSync(bytes));
    } catch (e: unknown) {
      return err(`bad gzip data in ${name}: ${describeError(e)}`);
    }
  }
  return err(`unsupported control member ${name}`);
}

async function extractControl(tarBytes: Buffer): Promise<string | undefined> {
  const extract = tar.extract();
  let control: string | undefined;
  const done = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      if (entry.header.name === './control' || entry.header.name === 'control') control = Buffer.concat(chunks).toString('utf8');
    }
  })();
  extract.end(tarBytes);
  await done;
  return control;
}
