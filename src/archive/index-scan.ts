// A fast deb822 scanner for archive indices (Sources, Packages: 50 MB, ~100,000 paragraphs each).
// control/deb822.ts builds a Paragraph object with every field of every paragraph; an index needs
// a dozen fields out of thirty, so this scanner walks the text once with indexOf and only slices
// the fields it is asked to keep. Every line is still classified and checked exactly as
// parseDeb822 does (same order, same messages, same first-error-stops rule):
// - ASCII lines are decided here: a line that starts with a space or tab is a continuation unless
//   it is blanks only (a separator); a line that starts with another printable ASCII character
//   other than `#` is a field line iff a colon follows a non-empty run of non-blank characters
//   (debian-control's /^([^\s:]+):(.*)$/ for ASCII text);
// - anything else (a non-ASCII or control character where the decision is made, and every line
//   of a text holding `\r`, U+2028 or U+2029, which `.` and trim() treat specially) goes through
//   deb822's own classifyLine, which is debian-control's isFieldLine/isContinueLine.
import { classifyLine, deb822Messages, type ControlError, type LineKind } from '../control/deb822.js';
import { err, ok, type Result } from '../model/result.js';

export interface IndexScanOptions {
  /** Name used in diagnostics (URL or label of the index). */
  readonly file: string;
  /** Field names to keep (case-insensitive); values come back in this order. */
  readonly keep: readonly string[];
}

/**
 * One paragraph as the scanner saw it. The arrays are reused for the next paragraph: a visitor
 * copies what it wants to keep.
 */
export interface ScannedParagraph {
  /** 1-based line of the paragraph's first field. */
  line: number;
  /** Value of each kept field as deb822 keeps it (first line + `\n` + continuation lines), or undefined. */
  readonly values: (string | undefined)[];
  /** 1-based line of each kept field (0 when absent). */
  readonly lines: number[];
}

const SPACE = 32;
const TAB = 9;
const HASH = 35;
const COLON = 58;
const HYPHEN = 45;

/** Where a field's value is, until the field ends. */
interface OpenField {
  slot: number;
  valueStart: number;
  valueEnd: number;
  multiline: boolean;
}

function fieldValue(text: string, field: OpenField): string {
  const raw = text.slice(field.valueStart, field.valueEnd);
  if (!field.multiline) return raw.trim();
  return raw.split('\n').map((l) => l.trim()).join('\n');
}

/** Scan an index, calling `visit` once per paragraph; the first malformed line is the error. */
export function scanIndex(
  text: string,
  options: IndexScanOptions,
  visit: (paragraph: ScannedParagraph) => void,
): Result<number, ControlError> {
  const keepCount = options.keep.length;
  const slotByLowerName = new Map<string, number>(options.keep.map((n, i) => [n.toLowerCase(), i]));
  const slotByName = new Map<string, number>();
  /** Paragraph serial in which each slot was last seen: duplicate detection without a Set per paragraph. */
  const seenIn: number[] = [];
  const paragraph: ScannedParagraph = {
    line: 0,
    values: new Array<string | undefined>(keepCount).fill(undefined),
    lines: new Array<number>(keepCount).fill(0),
  };
  const strict = text.includes('\r') || text.includes('\u2028') || text.includes('\u2029');
  const fail = (line: number, message: string): Result<number, ControlError> =>
    err({ reason: 'malformed-control', message, location: { file: options.file, line } });

  let serial = 1;
  let fieldCount = 0;
  let paragraphs = 0;
  let open: OpenField | undefined;
  const closeField = (): void => {
    if (open !== undefined && open.slot < keepCount) paragraph.values[open.slot] = fieldValue(text, open);
    open = undefined;
  };
  const closeParagraph = (): void => {
    closeField();
    if (fieldCount > 0) {
      visit(paragraph);
      paragraphs++;
      paragraph.values.fill(undefined);
      paragraph.lines.fill(0);
    }
    fieldCount = 0;
    serial++;
  };

  let lineNo = 0;
  let pos = 0;
  const length = text.length;
  // A final newline ends the last line; it does not start another (parseDeb822 drops it too).
  while (pos < length) {
    lineNo++;
    let end = text.indexOf('\n', pos);
    if (end === -1) end = length;
    const kind = strict ? classifyExact(text, pos, end) : classifyFast(text, pos, end);
    switch (kind) {
      case 'blank':
        closeParagraph();
        break;
      case 'comment':
        return fail(lineNo, deb822Messages.comment);
      case 'invalid':
        return fail(lineNo, deb822Messages.notAFieldLine(lineText(text, pos, end)));
      case 'continuation':
        if (open === undefined) return fail(lineNo, deb822Messages.orphanContinuation);
        open.valueEnd = end;
        open.multiline = true;
        break;
      case 'field': {
        closeField();
        const colon = text.indexOf(':', pos);
        const name = text.slice(pos, colon);
        if (text.charCodeAt(pos) === HYPHEN) return fail(lineNo, deb822Messages.invalidName(name));
        let slot = slotByName.get(name);
        if (slot === undefined) {
          const lower = name.toLowerCase();
          slot = slotByLowerName.get(lower);
          if (slot === undefined) {
            slot = slotByLowerName.size;
            slotByLowerName.set(lower, slot);
          }
          slotByName.set(name, slot);
        }
        if (seenIn[slot] === serial) return fail(lineNo, deb822Messages.duplicate(name));
        seenIn[slot] = serial;
        if (fieldCount === 0) paragraph.line = lineNo;
        fieldCount++;
        if (slot < keepCount) paragraph.lines[slot] = lineNo;
        open = { slot, valueStart: colon + 1, valueEnd: end, multiline: false };
        break;
      }
    }
    pos = end + 1;
  }
  closeParagraph();
  return ok(paragraphs);
}

function lineText(text: string, start: number, end: number): string {
  const line = text.slice(start, end);
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

function classifyExact(text: string, start: number, end: number): LineKind {
  return classifyLine(lineText(text, start, end));
}

/** ASCII decisions as described at the top; everything else goes to classifyExact. */
function classifyFast(text: string, start: number, end: number): LineKind {
  if (start === end) return 'blank';
  const first = text.charCodeAt(start);
  if (first === SPACE || first === TAB) {
    let i = start + 1;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c !== SPACE && c !== TAB) break;
      i++;
    }
    if (i === end) return 'blank';
    const c = text.charCodeAt(i);
    return c > SPACE && c < 127 ? 'continuation' : classifyExact(text, start, end);
  }
  if (first === HASH) return 'comment';
  if (first <= SPACE || first >= 127) return classifyExact(text, start, end);
  if (first === COLON) return 'invalid';
  for (let i = start + 1; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === COLON) return 'field';
    if (c === SPACE || (c >= TAB && c <= 13)) return 'invalid';
    if (c >= 127) return classifyExact(text, start, end);
  }
  return 'invalid';
}
