// The GNU build-id of an ELF file, read from its note sections (pure, over the file's bytes). It
// names the separate debug file the way Debian lays them out (`/usr/lib/debug/.build-id/xx/
// yyyy.debug`) and gdb finds them. Debian's gcc links with --build-id; musl-gcc's specs replace
// that link spec, so a musl executable has none unless LDFLAGS ask for `-Wl,--build-id`.
import { err, ok, type Result } from '../model/result.js';

const SHT_NOTE = 7;
const PT_NOTE = 4;
const NT_GNU_BUILD_ID = 3;

export type BuildIdError =
  | { readonly reason: 'not-elf'; readonly detail: string }
  | { readonly reason: 'truncated-elf'; readonly detail: string }
  | { readonly reason: 'no-build-id'; readonly detail: string };

interface ElfReader {
  readonly view: DataView;
  readonly is64: boolean;
  readonly little: boolean;
}

function word(r: ElfReader, offset: number): number {
  return r.view.getUint32(offset, r.little);
}

function addr(r: ElfReader, offset: number): number {
  return r.is64 ? Number(r.view.getBigUint64(offset, r.little)) : r.view.getUint32(offset, r.little);
}

function half(r: ElfReader, offset: number): number {
  return r.view.getUint16(offset, r.little);
}

const align4 = (n: number): number => (n + 3) & ~3;

/** Walks the notes of one note area; returns the GNU build-id as lower-case hex, if present. */
function buildIdInNotes(r: ElfReader, start: number, size: number): string | undefined {
  let at = start;
  const end = start + size;
  while (at + 12 <= end) {
    const nameSize = word(r, at);
    const descSize = word(r, at + 4);
    const type = word(r, at + 8);
    const nameAt = at + 12;
    const descAt = nameAt + align4(nameSize);
    if (descAt + descSize > end) return undefined;
    const name = new TextDecoder().decode(new Uint8Array(r.view.buffer, r.view.byteOffset + nameAt, Math.max(0, nameSize - 1)));
    if (type === NT_GNU_BUILD_ID && name === 'GNU') {
      const desc = new Uint8Array(r.view.buffer, r.view.byteOffset + descAt, descSize);
      return [...desc].map((b) => b.toString(16).padStart(2, '0')).join('');
    }
    at = descAt + align4(descSize);
  }
  return undefined;
}

export function readElfBuildId(bytes: Uint8Array): Result<string, BuildIdError> {
  if (bytes.length < 52 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    return err({ reason: 'not-elf', detail: 'no ELF magic' });
  }
  const r: ElfReader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), is64: bytes[4] === 2, little: bytes[5] === 1 };
  if (r.is64 && bytes.length < 64) return err({ reason: 'truncated-elf', detail: 'ELF header cut short' });
  const areas: { start: number; size: number }[] = [];
  const shoff = addr(r, r.is64 ? 0x28 : 0x20);
  const shentsize = half(r, r.is64 ? 0x3a : 0x2e);
  const shnum = half(r, r.is64 ? 0x3c : 0x30);
  for (let i = 0; i < shnum && shoff > 0; i++) {
    const sh = shoff + i * shentsize;
    if (sh + shentsize > bytes.length) return err({ reason: 'truncated-elf', detail: `section header ${i} beyond the end of the file` });
    if (word(r, sh + 4) !== SHT_NOTE) continue;
    areas.push({ start: addr(r, sh + (r.is64 ? 0x18 : 0x10)), size: addr(r, sh + (r.is64 ? 0x20 : 0x14)) });
  }
  if (areas.length === 0) {
    // No section headers (or no note sections): the loadable notes still carry the id.
    const phoff = addr(r, r.is64 ? 0x20 : 0x1c);
    const phentsize = half(r, r.is64 ? 0x36 : 0x2a);
    const phnum = half(r, r.is64 ? 0x38 : 0x2c);
    for (let i = 0; i < phnum && phoff > 0; i++) {
      const ph = phoff + i * phentsize;
      if (ph + phentsize > bytes.length) return err({ reason: 'truncated-elf', detail: `program header ${i} beyond the end of the file` });
      if (word(r, ph) !== PT_NOTE) continue;
      areas.push({ start: addr(r, ph + (r.is64 ? 0x08 : 0x04)), size: addr(r, ph + (r.is64 ? 0x20 : 0x10)) });
    }
  }
  for (const area of areas) {
    if (area.start + area.size > bytes.length) return err({ reason: 'truncated-elf', detail: 'note area beyond the end of the file' });
    const id = buildIdInNotes(r, area.start, area.size);
    if (id !== undefined && id.length > 2) return ok(id);
  }
  return err({ reason: 'no-build-id', detail: 'no NT_GNU_BUILD_ID note: link with -Wl,--build-id' });
}

/** Debian's layout of detached debug files: `usr/lib/debug/.build-id/<2 hex>/<rest>.debug`. */
export function debugFilePath(buildId: string): string {
  return `usr/lib/debug/.build-id/${buildId.slice(0, 2)}/${buildId.slice(2)}.debug`;
}
