// A reader for `ar` archives (static libraries), enough to reach every member's bytes:
// - common format: `!<arch>\n`, then per member a 60-byte header (name 16, date 12, uid 6,
//   gid 6, mode 8, size 10, "`\n") and the data, padded to an even offset;
// - GNU/SysV: `/` (and `/SYM64/`) is the symbol table, `//` the long-name table whose entries end
//   in "/\n", a member named `/123` takes its name from offset 123 there, short names end in `/`;
// - BSD: `#1/<n>` means the name is the first n bytes of the data; `__.SYMDEF` (and
//   `__.SYMDEF SORTED`) is the symbol table.
// Thin archives (`!<thin>\n`) hold only paths to objects outside the archive: reported as such.
import { ok, err, type Result } from '../model/result.js';
import { startsWith } from './elf-header.js';

const AR_MAGIC = new TextEncoder().encode('!<arch>\n');
const THIN_MAGIC = new TextEncoder().encode('!<thin>\n');
const HEADER_SIZE = 60;
const latin1 = new TextDecoder('latin1');

export interface ArMember {
  readonly name: string;
  /** Offset of the member's header in the archive. */
  readonly offset: number;
  readonly data: Uint8Array;
}

export interface ArError {
  readonly detail: string;
  readonly offset: number;
}

export function isArArchive(bytes: Uint8Array): boolean {
  return startsWith(bytes, AR_MAGIC);
}

export function isThinArchive(bytes: Uint8Array): boolean {
  return startsWith(bytes, THIN_MAGIC);
}

const SYMBOL_TABLES = new Set(['/', '/SYM64/', '__.SYMDEF', '__.SYMDEF SORTED', '__.SYMDEF_64', '__.SYMDEF_64 SORTED']);

/** The archive's object members in order (symbol and long-name tables are not members). */
export function parseArArchive(bytes: Uint8Array): Result<ArMember[], ArError> {
  if (!isArArchive(bytes)) return err({ detail: 'no !<arch> magic', offset: 0 });
  const members: ArMember[] = [];
  let longNames: Uint8Array | undefined;
  let offset = AR_MAGIC.length;
  while (offset < bytes.length) {
    // A lone padding newline at the very end is tolerated (some writers pad the last member).
    if (offset === bytes.length - 1 && bytes[offset] === 0x0a) break;
    if (offset + HEADER_SIZE > bytes.length) return err({ detail: 'member header truncated', offset });
    const header = latin1.decode(bytes.subarray(offset, offset + HEADER_SIZE));
    if (header.slice(58, 60) !== '`\n') return err({ detail: 'member header does not end in `\\n', offset });
    const sizeText = header.slice(48, 58).trim();
    if (!/^\d+$/.test(sizeText)) return err({ detail: `member size "${sizeText}" is not a number`, offset });
    const size = Number(sizeText);
    const start = offset + HEADER_SIZE;
    if (start + size > bytes.length) return err({ detail: `member of ${size} bytes runs past the end of the archive`, offset });
    let data = bytes.subarray(start, start + size);
    const rawName = header.slice(0, 16).trimEnd();
    let name: string;
    if (rawName === '//') {
      longNames = data;
      offset = start + size + (size % 2);
      continue;
    } else if (SYMBOL_TABLES.has(rawName)) {
      offset = start + size + (size % 2);
      continue;
    } else if (/^#1\/\d+$/.test(rawName)) {
      const nameLength = Number(rawName.slice(3));
      if (nameLength > size) return err({ detail: `BSD name length ${nameLength} exceeds member size ${size}`, offset });
      name = latin1.decode(data.subarray(0, nameLength)).replace(/\0+$/, '');
      data = data.subarray(nameLength);
      if (SYMBOL_TABLES.has(name)) {
        offset = start + size + (size % 2);
        continue;
      }
    } else if (/^\/\d+$/.test(rawName)) {
      const at = Number(rawName.slice(1));
      if (longNames === undefined) return err({ detail: `long name ${rawName} without a // table before it`, offset });
      if (at >= longNames.length) return err({ detail: `long name offset ${at} outside the // table`, offset });
      const end = longNames.indexOf(0x0a, at);
      name = latin1.decode(longNames.subarray(at, end < 0 ? longNames.length : end)).replace(/\/$/, '');
    } else {
      name = rawName.replace(/\/$/, '');
    }
    members.push({ name, offset, data });
    offset = start + size + (size % 2);
  }
  return ok(members);
}
