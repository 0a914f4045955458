// Walks a build's output and applies the toolchain provenance check (drivers/toolchain-provenance.ts)
// to every ELF object in it: each member of each `.a`, each stray object, each linked program
// (compile unit by compile unit). Reading is all this file does; the verdicts are pure. What the
// static-only check already refuses (thin archives, shared objects, other machines) is its to
// report (verify-output.ts); this walk only looks at what it can read as ELF.
import { ok, type Result } from '../../model/result.js';
import type { SourceLocation } from '../../model/location.js';
import { isArArchive, parseArArchive } from '../../drivers/ar-archive.js';
import { isElf } from '../../drivers/elf-header.js';
import { checkObjectProvenance, definedGlobalSymbols, type ProvenanceExpectation, type ProvenanceViolation } from '../../drivers/toolchain-provenance.js';
import { nodeOutputFileSystem, walkOutputTree, type OutputFileSystem, type VerifyOutputError } from './verify-output.js';
import { describeError } from '../../io/describe-error.js';

export interface VerifyProvenanceOptions {
  /** The folder to walk (a library's output directory, an application's package folder). */
  readonly dir: string;
  readonly expect: ProvenanceExpectation;
  readonly fs?: OutputFileSystem;
}

export interface ProvenanceReport {
  readonly violations: readonly ProvenanceViolation[];
  /** Archive members, stray objects and programs whose provenance was read. */
  readonly objects: number;
}

const HEAD_BYTES = 8;

export async function verifyProvenance(options: VerifyProvenanceOptions): Promise<Result<ProvenanceReport, VerifyOutputError>> {
  const fs = options.fs ?? nodeOutputFileSystem;
  const violations: ProvenanceViolation[] = [];
  let objects = 0;
  const walked = await walkOutputTree(fs, options.dir.replace(/\/+$/, ''), async ({ file, path, kind }) => {
    // Symlinks are never read: their targets are checked where they lie in the tree.
    if (kind !== 'file') return;
    const location: SourceLocation = { file: path };
    const head = await fs.readHead(path, HEAD_BYTES);
    if (isArArchive(head)) {
      const members = parseArArchive(await fs.readAll(path));
      if (!members.ok) return;
      const elves = members.value.filter((m) => isElf(m.data));
      // What the archive defines itself is not glibc's, whatever its name.
      const defined = new Set(elves.flatMap((m) => definedGlobalSymbols(m.data)));
      for (const m of elves) {
        objects += 1;
        violations.push(...checkObjectProvenance(file, m.data, options.expect, location, m.name, defined));
      }
    } else if (isElf(head)) {
      objects += 1;
      violations.push(...checkObjectProvenance(file, await fs.readAll(path), options.expect, location));
    }
  });
  if (!walked.ok) return walked;
  return ok({ violations, objects });
}

/**
 * The linked programs of an application, compile unit by compile unit (each unit is one object
 * the link took, the application's own and the closure's): `file` names the program in messages.
 */
export async function verifyPrograms(programs: readonly { readonly file: string; readonly path: string }[], expect: ProvenanceExpectation, fs: OutputFileSystem = nodeOutputFileSystem): Promise<ProvenanceViolation[]> {
  const found: ProvenanceViolation[] = [];
  for (const p of programs) {
    const location: SourceLocation = { file: p.path };
    try {
      found.push(...checkObjectProvenance(p.file, await fs.readAll(p.path), expect, location));
    } catch (e: unknown) {
      found.push({ reason: 'unreadable-debug-info', file: p.file, detail: describeError(e), location });
    }
  }
  return found;
}
