// Sections and symbols of one ELF file (an archive member or a linked program), as the toolchain
// provenance check reads them (toolchain-provenance.ts): a section's bytes by name, with the RELA
// relocations of a relocatable object applied (in a `.o` the offsets a debug section holds into
// the string sections are relocations, not bytes), and the symbol table. Pure, over the bytes.
import { err, ok, type Result } from '../model/result.js';
import { readElfHeader } from './elf-header.js';

const SHT_SYMTAB = 2;
const SHT_RELA = 4;
const SHN_UNDEF = 0;
const SHF_COMPRESSED = 0x800;

export interface ElfSection {
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly offset: number;
  readonly size: number;
  /** sh_link and sh_info: the string table of a symbol table; the section a RELA section relocates. */
  readonly link: number;
  readonly info: number;
}

export interface ElfSymbol {
  readonly name: string;
  /** STB_LOCAL 0, STB_GLOBAL 1, STB_WEAK 2. */
  readonly binding: number;
  readonly undefined: boolean;
  readonly value: number;
}

export interface ElfFile {
  readonly bytes: Uint8Array;
  readonly littleEndian: boolean;
  readonly is64: boolean;
  readonly type: number;
  readonly machine: number;
  readonly sections: readonly ElfSection[];
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function cString(bytes: Uint8Array, at: number): string {
  let end = at;
  while (end < bytes.length && bytes[end] !== 0) end += 1;
  return new TextDecoder().decode(bytes.subarray(at, end));
}

export function readElfFile(bytes: Uint8Array): Result<ElfFile, string> {
  const header = readElfHeader(bytes);
  if (!header.ok) return header;
  const { littleEndian, elfClass, type, machine } = header.value;
  const is64 = elfClass === 64;
  const v = view(bytes);
  if (bytes.length < (is64 ? 64 : 52)) return err('ELF header truncated');
  const word = (at: number): number => (is64 ? Number(v.getBigUint64(at, littleEndian)) : v.getUint32(at, littleEndian));
  const shoff = word(is64 ? 0x28 : 0x20);
  const shentsize = v.getUint16(is64 ? 0x3a : 0x2e, littleEndian);
  const shnum = v.getUint16(is64 ? 0x3c : 0x30, littleEndian);
  const shstrndx = v.getUint16(is64 ? 0x3e : 0x32, littleEndian);
  if (shoff === 0 || shnum === 0) return ok({ bytes, littleEndian, is64, type, machine, sections: [] });
  if (shoff + shnum * shentsize > bytes.length) return err(`section headers beyond the end of the file (${shnum} at ${shoff})`);
  const raw = Array.from({ length: shnum }, (_, i) => {
    const at = shoff + i * shentsize;
    return {
      nameAt: v.getUint32(at, littleEndian),
      type: v.getUint32(at + 4, littleEndian),
      flags: is64 ? Number(v.getBigUint64(at + 8, littleEndian)) : v.getUint32(at + 8, littleEndian),
      offset: word(at + (is64 ? 0x18 : 0x10)),
      size: word(at + (is64 ? 0x20 : 0x14)),
      link: v.getUint32(at + (is64 ? 0x28 : 0x18), littleEndian),
      info: v.getUint32(at + (is64 ? 0x2c : 0x1c), littleEndian),
    };
  });
  const names = raw[shstrndx];
  if (names === undefined) return err(`section name table index ${shstrndx} out of range`);
  const sections: ElfSection[] = [];
  for (const s of raw) {
    // SHT_NOBITS (8) occupies no file space: its offset/size say nothing about the file.
    if (s.type !== 8 && s.offset + s.size > bytes.length) return err(`section at ${s.offset} (${s.size} bytes) beyond the end of the file`);
    sections.push({ name: cString(bytes, names.offset + s.nameAt), type: s.type, flags: s.flags, offset: s.offset, size: s.size, link: s.link, info: s.info });
  }
  return ok({ bytes, littleEndian, is64, type, machine, sections });
}

export function sectionBytes(elf: ElfFile, section: ElfSection): Uint8Array {
  return elf.bytes.subarray(section.offset, section.offset + section.size);
}

/** Every symbol of the symbol table (`.symtab`), the null symbol left out. */
export function readSymbols(elf: ElfFile): Result<ElfSymbol[], string> {
  const table = elf.sections.find((s) => s.type === SHT_SYMTAB);
  if (table === undefined) return ok([]);
  const strings = elf.sections[table.link];
  if (strings === undefined) return err(`symbol table names string table ${table.link}, which does not exist`);
  const strBytes = sectionBytes(elf, strings);
  const v = view(elf.bytes);
  const size = elf.is64 ? 24 : 16;
  const symbols: ElfSymbol[] = [];
  for (let at = table.offset + size; at + size <= table.offset + table.size; at += size) {
    const nameAt = v.getUint32(at, elf.littleEndian);
    const infoByte = elf.bytes[at + (elf.is64 ? 4 : 12)] ?? 0;
    const shndx = v.getUint16(at + (elf.is64 ? 6 : 14), elf.littleEndian);
    const value = elf.is64 ? Number(v.getBigUint64(at + 8, elf.littleEndian)) : v.getUint32(at + 4, elf.littleEndian);
    symbols.push({ name: cString(strBytes, nameAt), binding: infoByte >> 4, undefined: shndx === SHN_UNDEF, value });
  }
  return ok(symbols);
}

/**
 * Absolute data relocations by machine: type → width in bytes. These are the ones a compiler uses
 * for offsets between debug sections (x86-64: R_X86_64_64, _32, _32S; AArch64: ABS64, ABS32).
 */
const DATA_RELOCATIONS: ReadonlyMap<number, ReadonlyMap<number, 4 | 8>> = new Map([
  [62, new Map<number, 4 | 8>([[1, 8], [10, 4], [11, 4]])],
  [183, new Map<number, 4 | 8>([[257, 8], [258, 4]])],
]);

/**
 * The bytes of a named section, with the RELA relocations against it applied (symbol value plus
 * addend written in place, as the linker would): what a debugger reads from the linked program.
 * `undefined` when the file has no such section. REL relocations (i386, ARM) keep their addend in
 * the bytes already, and a section symbol of a relocatable object has value 0, so they need nothing.
 */
export function relocatedSection(elf: ElfFile, name: string): Result<Uint8Array | undefined, string> {
  const index = elf.sections.findIndex((s) => s.name === name);
  const section = elf.sections[index];
  if (section === undefined) return ok(undefined);
  if ((section.flags & SHF_COMPRESSED) !== 0) return err(`${name} is compressed (SHF_COMPRESSED), which this reader does not read`);
  const rela = elf.sections.filter((s) => s.type === SHT_RELA && s.info === index);
  const copy = Uint8Array.from(sectionBytes(elf, section));
  if (rela.length === 0) return ok(copy);
  const widths = DATA_RELOCATIONS.get(elf.machine);
  if (widths === undefined) return err(`relocations of ${name} on ELF machine ${elf.machine} are not known to this reader`);
  const symbols = readSymbols(elf);
  if (!symbols.ok) return symbols;
  const v = view(elf.bytes);
  const out = view(copy);
  const entry = elf.is64 ? 24 : 12;
  for (const r of rela) {
    for (let at = r.offset; at + entry <= r.offset + r.size; at += entry) {
      const offset = elf.is64 ? Number(v.getBigUint64(at, elf.littleEndian)) : v.getUint32(at, elf.littleEndian);
      const info = elf.is64 ? v.getBigUint64(at + 8, elf.littleEndian) : BigInt(v.getUint32(at + 4, elf.littleEndian));
      const addend = elf.is64 ? v.getBigInt64(at + 16, elf.littleEndian) : BigInt(v.getInt32(at + 8, elf.littleEndian));
      const symbolIndex = Number(elf.is64 ? info >> 32n : info >> 8n);
      const type = Number(elf.is64 ? info & 0xffffffffn : info & 0xffn);
      const width = widths.get(type);
      if (width === undefined) continue;
      if (offset + width > copy.length) return err(`relocation of ${name} at ${offset} beyond the section`);
      // Index 0 is the null symbol, which readSymbols leaves out.
      const base = symbolIndex === 0 ? 0n : BigInt(symbols.value[symbolIndex - 1]?.value ?? 0);
      const value = base + addend;
      if (width === 8) out.setBigUint64(offset, BigInt.asUintN(64, value), elf.littleEndian);
      else out.setUint32(offset, Number(BigInt.asUintN(32, value)), elf.littleEndian);
    }
  }
  return ok(copy);
}
