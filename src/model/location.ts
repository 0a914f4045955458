// Where something is: every diagnostic names the file (or URL) and, where it has one, the line.

export interface SourceLocation {
  /** A path, a URL, or a label such as `Sources(bookworm/main)`. */
  readonly file: string;
  /** 1-based line number, when the thing has lines. */
  readonly line?: number;
  /** 1-based column, when known. */
  readonly column?: number;
}

export function formatLocation(loc: SourceLocation): string {
  if (loc.line === undefined) return loc.file;
  return loc.column === undefined ? `${loc.file}:${loc.line}` : `${loc.file}:${loc.line}:${loc.column}`;
}
