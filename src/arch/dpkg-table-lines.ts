// The row format shared by dpkg's cputable, ostable and tupletable: whitespace-separated columns,
// `#` comments, blank lines. Arch.pm skips any line its regex does not match; here only comments
// and blank lines are skipped and every other line must be a row, so a damaged table is an error
// that names its line instead of an architecture that silently disappears.
import type { SourceLocation } from '../model/location.js';
import { err, ok, type Result } from '../model/result.js';
import type { ArchTableError } from './dpkg-arch.js';

export interface TableText {
  readonly text: string;
  /** Name used in diagnostics. */
  readonly file: string;
}

type Columns<N extends number> = N extends 2 ? [string, string]
  : N extends 3 ? [string, string, string]
  : [string, string, string, string, string];

export interface TableRow<N extends number> {
  readonly fields: Columns<N>;
  readonly location: SourceLocation;
}

/** Rows of the given texts, in order, each with exactly `columns` fields. */
export function parseTableLines<N extends 2 | 3 | 5>(
  texts: readonly TableText[],
  columns: N,
): Result<TableRow<N>[], ArchTableError> {
  const rows: TableRow<N>[] = [];
  for (const { text, file } of texts) {
    const lines = text.split('\n');
    for (const [index, raw] of lines.entries()) {
      const line = raw.replace(/\r$/, '');
      if (line.trim() === '' || line.startsWith('#')) continue;
      const location: SourceLocation = { file, line: index + 1 };
      const fields = line.trim().split(/\s+/);
      if (/^\s/.test(line) || fields.length !== columns) {
        return err({
          reason: 'invalid-arch-table',
          message: `expected ${columns} columns at the start of the line, found: ${line.trim()}`,
          location,
        });
      }
      rows.push({ fields: fields as Columns<N>, location });
    }
  }
  return ok(rows);
}
