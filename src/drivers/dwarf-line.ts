// The headers of DWARF line tables (`.debug_line`, versions 2 to 5): for each compile unit, its
// directories and the files the compiler recorded — the source file and every header that
// contributed code or a declaration to the debug information. That list is the evidence of which
// headers an object was compiled against. Pure; the line programs themselves are skipped.
import { err, ok, type Result } from '../model/result.js';
import { describeError } from '../io/describe-error.js';

export interface LineTableUnit {
  /** Byte offset of the unit in `.debug_line`. */
  readonly offset: number;
  readonly version: number;
  /** The compilation directory (directory 0 of a DWARF 5 table; unknown before version 5). */
  readonly compDir?: string;
  /** The primary source file, as the compiler named it (file 0 of DWARF 5, file 1 before). */
  readonly primaryFile?: string;
  /** Every file of the table, joined to its directory (relative ones stay relative to compDir). */
  readonly files: readonly string[];
}

const DW_LNCT_path = 1;
const DW_LNCT_directory_index = 2;

const FORM = {
  block2: 0x03, block4: 0x04, data2: 0x05, data4: 0x06, data8: 0x07, string: 0x08, block: 0x09, block1: 0x0a,
  data1: 0x0b, sdata: 0x0d, strp: 0x0e, udata: 0x0f, data16: 0x1e, lineStrp: 0x1f,
} as const;

export interface DebugStrings {
  /** `.debug_str`, for DW_FORM_strp. */
  readonly str?: Uint8Array;
  /** `.debug_line_str`, for DW_FORM_line_strp (DWARF 5). */
  readonly lineStr?: Uint8Array;
}

class Cursor {
  at: number;
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array, at: number, private readonly little: boolean) {
    this.at = at;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(n: number): void {
    if (this.at + n > this.bytes.length) throw new RangeError(`line table cut short at byte ${this.at}`);
  }
  u8(): number {
    this.need(1);
    return this.bytes[this.at++] ?? 0;
  }
  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.at, this.little);
    this.at += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.at, this.little);
    this.at += 4;
    return v;
  }
  u64(): number {
    this.need(8);
    const v = Number(this.view.getBigUint64(this.at, this.little));
    this.at += 8;
    return v;
  }
  uleb(): number {
    let result = 0;
    let factor = 1;
    for (;;) {
      const byte = this.u8();
      result += (byte & 0x7f) * factor;
      if ((byte & 0x80) === 0) return result;
      factor *= 128;
    }
  }
  cstring(): string {
    const end = this.bytes.indexOf(0, this.at);
    if (end < 0) throw new RangeError(`unterminated string at byte ${this.at}`);
    const s = new TextDecoder().decode(this.bytes.subarray(this.at, end));
    this.at = end + 1;
    return s;
  }
  skip(n: number): void {
    this.need(n);
    this.at += n;
  }
}

function stringAt(table: Uint8Array | undefined, offset: number, name: string): string {
  if (table === undefined || offset >= table.length) throw new RangeError(`string offset ${offset} outside ${name}`);
  const end = table.indexOf(0, offset);
  return new TextDecoder().decode(table.subarray(offset, end < 0 ? table.length : end));
}

/** One attribute value of a DWARF 5 entry: a string, a number, or nothing the header needs. */
function readForm(c: Cursor, form: number, offsetSize: 4 | 8, strings: DebugStrings): string | number | undefined {
  const offset = (): number => (offsetSize === 8 ? c.u64() : c.u32());
  switch (form) {
    case FORM.string: return c.cstring();
    case FORM.lineStrp: return stringAt(strings.lineStr, offset(), '.debug_line_str');
    case FORM.strp: return stringAt(strings.str, offset(), '.debug_str');
    case FORM.udata: return c.uleb();
    case FORM.sdata: c.uleb(); return undefined;
    case FORM.data1: return c.u8();
    case FORM.data2: return c.u16();
    case FORM.data4: return c.u32();
    case FORM.data8: c.skip(8); return undefined;
    case FORM.data16: c.skip(16); return undefined;
    case FORM.block: c.skip(c.uleb()); return undefined;
    case FORM.block1: c.skip(c.u8()); return undefined;
    case FORM.block2: c.skip(c.u16()); return undefined;
    case FORM.block4: c.skip(c.u32()); return undefined;
    default: throw new RangeError(`DWARF form 0x${form.toString(16)} in a line table header is not known to this reader`);
  }
}

function joinDir(dir: string | undefined, file: string): string {
  if (file.startsWith('/') || dir === undefined || dir === '') return file;
  return `${dir.replace(/\/+$/, '')}/${file}`;
}

/** Directory and file entries of a DWARF 5 header: each entry as (content type → value). */
function readEntries(c: Cursor, offsetSize: 4 | 8, strings: DebugStrings): Map<number, string | number | undefined>[] {
  const formatCount = c.u8();
  const formats = Array.from({ length: formatCount }, () => [c.uleb(), c.uleb()] as const);
  const count = c.uleb();
  return Array.from({ length: count }, () => new Map(formats.map(([type, form]) => [type, readForm(c, form, offsetSize, strings)])));
}

function readUnit(c: Cursor, bytes: Uint8Array, little: boolean, strings: DebugStrings): { unit: LineTableUnit; next: number } {
  const offset = c.at;
  let length = c.u32();
  let offsetSize: 4 | 8 = 4;
  if (length === 0xffffffff) {
    length = c.u64();
    offsetSize = 8;
  }
  const next = c.at + length;
  if (next > bytes.length) throw new RangeError(`line table unit at ${offset} claims ${length} bytes, beyond the section`);
  const version = c.u16();
  if (version < 2 || version > 5) throw new RangeError(`line table unit at ${offset}: DWARF version ${version} is not known to this reader`);
  if (version >= 5) c.skip(2); // address_size, segment_selector_size
  const headerLength = offsetSize === 8 ? c.u64() : c.u32();
  const programStart = c.at + headerLength;
  c.skip(version >= 4 ? 5 : 4); // min_inst_length, [max_ops], default_is_stmt, line_base, line_range
  const opcodeBase = c.u8();
  c.skip(Math.max(0, opcodeBase - 1));
  if (version >= 5) {
    const dirs = readEntries(c, offsetSize, strings).map((e) => {
      const path = e.get(DW_LNCT_path);
      return typeof path === 'string' ? path : '';
    });
    const files = readEntries(c, offsetSize, strings).map((e) => {
      const path = e.get(DW_LNCT_path);
      const dir = e.get(DW_LNCT_directory_index);
      return joinDir(typeof dir === 'number' ? dirs[dir] : undefined, typeof path === 'string' ? path : '');
    });
    if (c.at > programStart) throw new RangeError(`line table unit at ${offset}: header longer than its header_length`);
    const [compDir] = dirs;
    const [primary] = files;
    return { unit: { offset, version, ...(compDir === undefined ? {} : { compDir }), ...(primary === undefined ? {} : { primaryFile: primary }), files }, next };
  }
  const dirs: string[] = [];
  for (let d = c.cstring(); d !== ''; d = c.cstring()) dirs.push(d);
  const files: string[] = [];
  for (let name = c.cstring(); name !== ''; name = c.cstring()) {
    const dir = c.uleb();
    c.uleb(); // mtime
    c.uleb(); // length
    files.push(joinDir(dir === 0 ? undefined : dirs[dir - 1], name));
  }
  const [primary] = files;
  return { unit: { offset, version, ...(primary === undefined ? {} : { primaryFile: primary }), files }, next };
}

/** Every unit of a `.debug_line` section (relocations already applied for a `.o`). */
export function readLineTables(debugLine: Uint8Array, littleEndian: boolean, strings: DebugStrings): Result<LineTableUnit[], string> {
  const units: LineTableUnit[] = [];
  const c = new Cursor(debugLine, 0, littleEndian);
  try {
    while (c.at < debugLine.length) {
      const { unit, next } = readUnit(c, debugLine, littleEndian, strings);
      units.push(unit);
      c.at = next;
    }
  } catch (e: unknown) {
    return err(describeError(e));
  }
  return ok(units);
}
