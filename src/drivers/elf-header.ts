// The few fields of an ELF header the static-only policy needs: class, type and machine. Byte
// order comes from the file itself (EI_DATA), so big-endian targets read right on any host.
import { ok, err, type Result } from '../model/result.js';

export const ELF_MAGIC = Uint8Array.of(0x7f, 0x45, 0x4c, 0x46);

/** e_type values (ELF gABI). */
export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;

export interface ElfHeader {
  readonly elfClass: 32 | 64;
  readonly littleEndian: boolean;
  /** e_type: 1 relocatable, 2 executable, 3 shared object (or PIE), 4 core. */
  readonly type: number;
  /** e_machine: 62 x86-64, 3 i386, 183 aarch64, 40 arm ... */
  readonly machine: number;
}

export function startsWith(bytes: Uint8Array, magic: Uint8Array): boolean {
  if (bytes.length < magic.length) return false;
  return magic.every((b, i) => bytes[i] === b);
}

export function isElf(bytes: Uint8Array): boolean {
  return startsWith(bytes, ELF_MAGIC);
}

/** Reads the header of `bytes` (the start of a file or of an archive member). */
export function readElfHeader(bytes: Uint8Array): Result<ElfHeader, string> {
  if (!isElf(bytes)) return err('no ELF magic');
  if (bytes.length < 20) return err(`ELF header truncated at ${bytes.length} bytes`);
  const cls = bytes[4];
  const data = bytes[5];
  if (cls !== 1 && cls !== 2) return err(`invalid EI_CLASS ${cls ?? '?'}`);
  if (data !== 1 && data !== 2) return err(`invalid EI_DATA ${data ?? '?'}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const littleEndian = data === 1;
  return ok({
    elfClass: cls === 1 ? 32 : 64,
    littleEndian,
    type: view.getUint16(16, littleEndian),
    machine: view.getUint16(18, littleEndian),
  });
}
