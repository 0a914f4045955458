// The ar container of a .deb (deb(5)): `!<arch>\n`, then members with a 60-byte header each,
// data padded to an even length with `\n`. dpkg-deb writes uid/gid 0 and mode 100644 in every
// member header and names without the GNU trailing slash; member names are at most 15 bytes.
// Pure: encoding and decoding of headers only.
import { err, ok, type Result } from '../model/result.js';

export const AR_MAGIC = '!<arch>\n';
export const AR_HEADER_SIZE = 60;
export const AR_NAME_MAX = 15;

export interface ArMemberHeader {
  readonly name: string;
  readonly mtime: number;
  readonly size: number;
}

export function encodeArHeader(member: ArMemberHeader): Buffer {
  if (member.name.length === 0 || member.name.length > AR_NAME_MAX || !/^[\x21-\x7e]+$/.test(member.name)) {
    // A programming error: member names are the writer's own constants.
    throw new Error(`ar member name must be 1-${AR_NAME_MAX} printable bytes: ${member.name}`);
  }
  const header =
    member.name.padEnd(16) +
    String(member.mtime).padEnd(12) +
    '0'.padEnd(6) +
    '0'.padEnd(6) +
    '100644'.padEnd(8) +
    String(member.size).padEnd(10) +
    '`\n';
  return Buffer.from(header, 'ascii');
}

export function arPadding(size: number): Buffer {
  return size % 2 === 1 ? Buffer.from('\n') : Buffer.alloc(0);
}

export function decodeArHeader(buf: Uint8Array): Result<ArMemberHeader, string> {
  if (buf.length !== AR_HEADER_SIZE) return err(`truncated ar member header (${buf.length} bytes)`);
  const text = Buffer.from(buf).toString('latin1');
  if (text.slice(58, 60) !== '`\n') return err('bad ar member header terminator');
  // GNU ar ends short names with `/`; dpkg-deb does not, but accepts both.
  const name = text.slice(0, 16).trimEnd().replace(/\/$/, '');
  const mtime = Number.parseInt(text.slice(16, 28).trim(), 10);
  const size = Number.parseInt(text.slice(48, 58).trim(), 10);
  if (name.length === 0 || !Number.isSafeInteger(size) || size < 0) return err(`bad ar member header for ${JSON.stringify(name)}`);
  return ok({ name, mtime: Number.isSafeInteger(mtime) ? mtime : 0, size });
}
