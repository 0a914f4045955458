// deb822 (Debian Policy §5.1) with line numbers. Line classification is debian-control's
// (`isFieldLine`, `isContinueLine`); what it does not do is kept here: it drops lines it does not
// recognise and forgets where a field was, and its `stripSignature` drops blank lines and ignores
// dash-escaping, so a PGP-signed .dsc would lose its line numbers. Every line is accounted for:
// a field, a continuation, a separator, a comment where comments are allowed, or a diagnostic.
import debianControl from 'debian-control';
import { err, ok, type Result } from '../model/result.js';
import type { SourceLocation } from '../model/location.js';

export interface Deb822Field {
  /** The field name as written (matching is case-insensitive, as Policy says). */
  readonly name: string;
  /**
   * The value as dpkg keeps it: the text after the colon with surrounding blanks removed, then one
   * `\n` + line (leading blanks removed) per continuation line. `getFolded`/`getLines` give the
   * two usual views.
   */
  readonly value: string;
  /** 1-based line of the field name in the original text. */
  readonly line: number;
}

export class Paragraph {
  private readonly byName = new Map<string, Deb822Field>();

  constructor(
    /** 1-based line where the paragraph starts. */
    readonly line: number,
    readonly fields: readonly Deb822Field[],
  ) {
    for (const field of fields) this.byName.set(field.name.toLowerCase(), field);
  }

  has(name: string): boolean {
    return this.byName.has(name.toLowerCase());
  }

  /** The raw value (multiline fields keep their `\n`s). */
  get(name: string): string | undefined {
    return this.byName.get(name.toLowerCase())?.value;
  }

  field(name: string): Deb822Field | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** A folded field (Build-Depends, Depends ...) as one line. */
  getFolded(name: string): string | undefined {
    const value = this.get(name);
    return value === undefined ? undefined : value.replace(/\s*\n\s*/g, ' ').trim();
  }

  /** A multiline field (Files, Checksums-Sha256 ...) as its non-empty lines. */
  getLines(name: string): string[] {
    const value = this.get(name);
    if (value === undefined) return [];
    return value.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  }
}

export interface ControlError {
  readonly reason: 'malformed-control';
  readonly message: string;
  readonly location: SourceLocation;
}

export interface Deb822Options {
  /** Name used in diagnostics: a path, URL or label. */
  readonly file: string;
  /** `#` comment lines are allowed only in debian/control (Policy §5.2). */
  readonly comments?: boolean;
  /** Accept (and verify the shape of) a clear-signed PGP wrapper, as in .dsc and InRelease. */
  readonly signed?: boolean;
}

interface Body {
  readonly lines: string[];
  /** Line number (1-based) of lines[0] in the original text. */
  readonly firstLine: number;
}

const BEGIN_SIGNED = '-----BEGIN PGP SIGNED MESSAGE-----';
const BEGIN_SIGNATURE = '-----BEGIN PGP SIGNATURE-----';
const END_SIGNATURE = '-----END PGP SIGNATURE-----';

/** Remove a clear-signed wrapper (RFC 4880 §7), keeping line numbers and undoing dash-escapes. */
function unwrapSignature(lines: string[], options: Deb822Options): Result<Body, ControlError> {
  let start = 0;
  while (start < lines.length && (lines[start] ?? '').trim() === '') start++;
  if (lines[start] !== BEGIN_SIGNED) return ok({ lines, firstLine: 1 });
  const at = (i: number, message: string): Result<Body, ControlError> =>
    err({ reason: 'malformed-control', message, location: { file: options.file, line: i + 1 } });
  if (options.signed !== true) return at(start, 'unexpected PGP signature');
  let i = start + 1;
  while (i < lines.length && (lines[i] ?? '') !== '') {
    if (!/^Hash: /.test(lines[i] ?? '')) return at(i, `unexpected armor header "${lines[i] ?? ''}"`);
    i++;
  }
  const bodyStart = i + 1;
  let end = bodyStart;
  while (end < lines.length && lines[end] !== BEGIN_SIGNATURE) end++;
  if (end >= lines.length) return at(start, 'signed message has no signature block');
  if (!lines.slice(end).some((l) => l === END_SIGNATURE)) return at(end, 'signature block is not terminated');
  const body = lines.slice(bodyStart, end).map((l) => (l.startsWith('- ') ? l.slice(2) : l));
  return ok({ lines: body, firstLine: bodyStart + 1 });
}

export type LineKind = 'blank' | 'comment' | 'continuation' | 'field' | 'invalid';

/**
 * The one line classifier (a trailing `\r` already removed): blank (whitespace only, a paragraph
 * separator), `#` comment, continuation and field lines are debian-control's `isContinueLine` /
 * `isFieldLine`, in that order. The fast index scanner (archive/index-scan.ts) decides the common
 * ASCII cases itself and defers every other line to this function, so both agree line by line.
 */
export function classifyLine(line: string): LineKind {
  if (line.trim() === '') return 'blank';
  if (line.startsWith('#')) return 'comment';
  if (debianControl.isContinueLine(line)) return 'continuation';
  return debianControl.isFieldLine(line) ? 'field' : 'invalid';
}

/** Diagnostic texts, shared with the index scanner so both report a bad line the same way. */
export const deb822Messages = {
  notAFieldLine: (line: string): string => `not a field line: "${line.slice(0, 60)}"`,
  orphanContinuation: 'continuation line without a field before it',
  comment: 'comment line where comments are not allowed',
  invalidName: (name: string): string => `invalid field name "${name}"`,
  duplicate: (name: string): string => `duplicate field "${name}" in one paragraph`,
} as const;

/** Parse deb822 text into paragraphs; the first malformed line stops the parse with its location. */
export function parseDeb822(text: string, options: Deb822Options): Result<Paragraph[], ControlError> {
  const rawLines = text.split('\n');
  if (rawLines.length > 0 && rawLines[rawLines.length - 1] === '') rawLines.pop();
  const unwrapped = unwrapSignature(rawLines, options);
  if (!unwrapped.ok) return unwrapped;
  const { lines, firstLine } = unwrapped.value;

  const paragraphs: Paragraph[] = [];
  let fields: Deb822Field[] = [];
  let seen = new Set<string>();
  let paragraphLine = 0;
  let name = '';
  let valueParts: string[] = [];
  let fieldLine = 0;
  const fail = (lineNo: number, message: string): Result<Paragraph[], ControlError> =>
    err({ reason: 'malformed-control', message, location: { file: options.file, line: lineNo } });

  const flushField = (): void => {
    if (name !== '') fields.push({ name, value: valueParts.join('\n'), line: fieldLine });
    name = '';
    valueParts = [];
  };
  const flushParagraph = (): void => {
    flushField();
    if (fields.length > 0) paragraphs.push(new Paragraph(paragraphLine, fields));
    fields = [];
    seen = new Set();
  };

  for (let i = 0; i < lines.length; i++) {
    const lineNo = firstLine + i;
    let line = lines[i] ?? '';
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const kind = classifyLine(line);
    if (kind === 'blank') {
      flushParagraph();
      continue;
    }
    if (kind === 'comment') {
      if (options.comments === true) continue;
      return fail(lineNo, deb822Messages.comment);
    }
    if (kind === 'continuation') {
      if (name === '') return fail(lineNo, deb822Messages.orphanContinuation);
      valueParts.push(line.trim());
      continue;
    }
    if (kind === 'invalid') return fail(lineNo, deb822Messages.notAFieldLine(line));
    flushField();
    const colon = line.indexOf(':');
    const fieldName = line.slice(0, colon);
    if (fieldName.startsWith('-')) return fail(lineNo, deb822Messages.invalidName(fieldName));
    const key = fieldName.toLowerCase();
    if (seen.has(key)) return fail(lineNo, deb822Messages.duplicate(fieldName));
    if (fields.length === 0) paragraphLine = lineNo;
    seen.add(key);
    name = fieldName;
    fieldLine = lineNo;
    valueParts = [line.slice(colon + 1).trim()];
  }
  flushParagraph();
  return ok(paragraphs);
}
