// Walks a build's output directory and applies the static-only policy (drivers/static-policy.ts)
// to every file: names, ELF headers, every member of every `.a`, `.pc` contents; then checks the
// recipe's expected artefacts exist. Reading is all this file does; the verdicts are pure.
import { lstat, open, readdir, readFile } from 'node:fs/promises';
import { ok, err, type Result } from '../../model/result.js';
import type { SourceLocation } from '../../model/location.js';
import {
  checkArchive, checkElf, checkFileName, checkPkgConfig, contentNeed,
  type StaticExpectation, type StaticViolation,
} from '../../drivers/static-policy.js';
import { describeError } from '../../io/describe-error.js';

/** The file system as the walker needs it; the default is node's. */
export interface OutputFileSystem {
  list(dir: string): Promise<readonly { readonly name: string; readonly kind: 'dir' | 'file' | 'symlink' | 'other' }[]>;
  /** Up to `length` bytes from the start of the file. */
  readHead(path: string, length: number): Promise<Uint8Array>;
  readAll(path: string): Promise<Uint8Array>;
  exists(path: string): Promise<boolean>;
}

export const nodeOutputFileSystem: OutputFileSystem = {
  async list(dir) {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.map((e) => ({
      name: e.name,
      kind: e.isDirectory() ? 'dir' : e.isFile() ? 'file' : e.isSymbolicLink() ? 'symlink' : 'other',
    }));
  },
  async readHead(path, length) {
    const handle = await open(path, 'r');
    try {
      const buffer = new Uint8Array(length);
      const { bytesRead } = await handle.read(buffer, 0, length, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  },
  readAll: (path) => readFile(path),
  async exists(path) {
    try {
      await lstat(path);
      return true;
    } catch {
      return false;
    }
  },
};

export interface VerifyOutputOptions {
  /** The output directory (the build's destDir, as seen by this process). */
  readonly outputDir: string;
  readonly expect: StaticExpectation;
  /** Relative to outputDir (BuildSpec.expectedArtefacts). */
  readonly expectedArtefacts?: readonly string[];
  readonly fs?: OutputFileSystem;
}

export interface OutputReport {
  readonly violations: readonly StaticViolation[];
  /** Paths relative to outputDir, of every regular file and symlink examined. */
  readonly files: readonly string[];
  readonly archives: number;
  /** Archive members plus stray ELF files whose headers were checked. */
  readonly objects: number;
}

export interface VerifyOutputError {
  readonly reason: 'output-unreadable';
  readonly path: string;
  readonly detail: string;
  readonly location: SourceLocation;
}

/** An ELF header is at most 64 bytes; the ar and ELF magics fit in 8. */
const HEAD_BYTES = 64;

/** An entry below the walked root that is not a folder: `file` relative to the root, `path` absolute. */
export interface WalkedEntry {
  readonly file: string;
  readonly path: string;
  readonly kind: 'file' | 'symlink' | 'other';
}

/**
 * Visits every entry below `root` that is not a folder, depth first, names in byte order (the
 * order of every report). A failure to list or read ends the walk as an `output-unreadable` error
 * naming the path being read: the folder listed, or the entry `onEntry` was given.
 */
export async function walkOutputTree(fs: OutputFileSystem, root: string, onEntry: (entry: WalkedEntry) => Promise<void>): Promise<Result<void, VerifyOutputError>> {
  let current = root;
  const visit = async (rel: string): Promise<void> => {
    current = rel === '' ? root : `${root}/${rel}`;
    const entries = [...(await fs.list(current))].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const file = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.kind === 'dir') {
        await visit(file);
        continue;
      }
      current = `${root}/${file}`;
      await onEntry({ file, path: current, kind: entry.kind });
    }
  };
  try {
    await visit('');
    return ok(undefined);
  } catch (e: unknown) {
    return err({ reason: 'output-unreadable', path: current, detail: describeError(e), location: { file: current } });
  }
}

export async function verifyOutput(options: VerifyOutputOptions): Promise<Result<OutputReport, VerifyOutputError>> {
  const fs = options.fs ?? nodeOutputFileSystem;
  const root = options.outputDir.replace(/\/+$/, '');
  const violations: StaticViolation[] = [];
  const files: string[] = [];
  let archives = 0;
  let objects = 0;
  const walked = await walkOutputTree(fs, root, async ({ file, path, kind }) => {
    const location: SourceLocation = { file: path };
    files.push(file);
    violations.push(...checkFileName(file, location));
    // Symlinks are judged by name only: their targets are checked where they lie in the tree.
    if (kind !== 'file') return;
    const head = await fs.readHead(path, HEAD_BYTES);
    switch (contentNeed(file, head)) {
      case 'archive': {
        const verdict = checkArchive(file, await fs.readAll(path), options.expect, location);
        archives += 1;
        objects += verdict.members.length;
        violations.push(...verdict.violations);
        break;
      }
      case 'elf':
        objects += 1;
        violations.push(...checkElf(file, head, options.expect, location));
        break;
      case 'pkg-config': {
        const text = new TextDecoder().decode(await fs.readAll(path));
        violations.push(...checkPkgConfig(file, text, options.expect, (line) => ({ file: path, line })));
        break;
      }
      case 'none':
        break;
    }
  });
  if (!walked.ok) return walked;
  for (const artefact of options.expectedArtefacts ?? []) {
    const path = `${root}/${artefact}`;
    try {
      if (!(await fs.exists(path))) violations.push({ reason: 'missing-artefact', file: artefact, location: { file: path } });
    } catch (e: unknown) {
      return err({ reason: 'output-unreadable', path, detail: describeError(e), location: { file: path } });
    }
  }
  return ok({ violations, files, archives, objects });
}
