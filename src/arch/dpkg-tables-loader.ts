// Reads dpkg's architecture tables from a directory (dpkg's DATADIR, /usr/share/dpkg by default)
// and builds the model. The file system is passed in (with the real one as default) so callers
// and tests can give their own.
import { readFile as fsReadFile } from 'node:fs/promises';
import { join } from 'node:path';
import { err, type Result } from '../model/result.js';
import { parseArchTables, type ArchTable, type ArchTableError, type ArchTableExtra } from './dpkg-arch.js';
import { describeError } from '../io/describe-error.js';

export const DPKG_DATADIR = '/usr/share/dpkg';

export interface TableFileSystem {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
}

const realFs: TableFileSystem = { readFile: (path, encoding) => fsReadFile(path, encoding) };

/**
 * Load `cputable`, `ostable` and `tupletable` from `dir`, with `extra` lines put before the stock
 * ones (see parseArchTables). A missing or unreadable file is an `unreadable-arch-table` error.
 */
export async function loadArchTables(
  dir: string = DPKG_DATADIR,
  extra?: ArchTableExtra,
  fs: TableFileSystem = realFs,
): Promise<Result<ArchTable, ArchTableError>> {
  const paths = {
    cputable: join(dir, 'cputable'),
    ostable: join(dir, 'ostable'),
    tupletable: join(dir, 'tupletable'),
  };
  const texts: Record<keyof typeof paths, string> = { cputable: '', ostable: '', tupletable: '' };
  for (const key of ['cputable', 'ostable', 'tupletable'] as const) {
    try {
      texts[key] = await fs.readFile(paths[key], 'utf8');
    } catch (e: unknown) {
      const detail = describeError(e);
      return err({ reason: 'unreadable-arch-table', message: `cannot read ${key}: ${detail}`, location: { file: paths[key] } });
    }
  }
  return parseArchTables(texts, extra, paths);
}
