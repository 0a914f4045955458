// Typed reading of stubforge's own deb822 configuration files (arch files, recipes). The deb822
// core gives paragraphs; this adds what a configuration file needs on top: required/optional
// fields, word and line lists with the exact line of every item, a `Format-Version` checked with
// semver, and an error for every field nobody reads — a misspelt field must never be ignored.
// The one function needed, not the whole package: every CLI start loads this file.
import satisfies from 'semver/functions/satisfies.js';
import type { Paragraph } from '../control/deb822.js';
import type { SourceLocation } from '../model/location.js';

/** One thing wrong with one field (or paragraph) of a configuration file. */
export interface ConfigProblem {
  readonly message: string;
  readonly location: SourceLocation;
  /** The field concerned, when there is one. */
  readonly field?: string;
}

/** One non-empty line of a multiline field, with its line in the file. */
export interface FieldLine {
  readonly text: string;
  readonly line: number;
}

const VERSION_RE = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*))?$/;

export class FieldReader {
  readonly problems: ConfigProblem[] = [];
  private readonly read = new Set<string>();

  constructor(
    readonly paragraph: Paragraph,
    readonly file: string,
    /** The file's lines, to give each line of a multiline field its own line number. */
    private readonly rawLines: readonly string[],
  ) {}

  location(name?: string): SourceLocation {
    const field = name === undefined ? undefined : this.paragraph.field(name);
    return { file: this.file, line: field?.line ?? this.paragraph.line };
  }

  problem(name: string | undefined, message: string, line?: number): void {
    const location = line === undefined ? this.location(name) : { file: this.file, line };
    this.problems.push(name === undefined ? { message, location } : { message, location, field: name });
  }

  has(name: string): boolean {
    return this.paragraph.has(name);
  }

  /** A single-line (folded) value; a present but empty field is a problem, not "absent". */
  optional(name: string): string | undefined {
    this.read.add(name.toLowerCase());
    const value = this.paragraph.getFolded(name);
    if (value === undefined) return undefined;
    if (value === '') {
      this.problem(name, `field ${name} is empty`);
      return undefined;
    }
    return value;
  }

  required(name: string): string | undefined {
    const value = this.optional(name);
    if (value === undefined && !this.paragraph.has(name)) this.problem(name, `missing required field ${name}`);
    return value;
  }

  /** Words separated by blanks and/or commas (`a, b c`). */
  words(name: string, required = false): string[] {
    const value = required ? this.required(name) : this.optional(name);
    if (value === undefined) return [];
    return value.split(/[\s,]+/).filter((w) => w.length > 0);
  }

  /** A `yes`/`no` switch. */
  yesNo(name: string, fallback: boolean): boolean {
    const value = this.optional(name);
    if (value === undefined) return fallback;
    if (value === 'yes') return true;
    if (value === 'no') return false;
    this.problem(name, `field ${name} must be "yes" or "no", not "${value}"`);
    return fallback;
  }

  /** The non-empty lines of a multiline field (text after the colon included), each with its line. */
  lines(name: string, required = false): FieldLine[] {
    this.read.add(name.toLowerCase());
    const field = this.paragraph.field(name);
    if (field === undefined) {
      if (required) this.problem(name, `missing required field ${name}`);
      return [];
    }
    const out: FieldLine[] = [];
    const first = field.value.split('\n')[0]?.trim() ?? '';
    if (first !== '') out.push({ text: first, line: field.line });
    // Continuation lines follow the field line; comment lines in between are skipped by the
    // deb822 parser, so they are skipped here too to keep the numbering exact.
    for (let i = field.line; i < this.rawLines.length; i++) {
      const raw = (this.rawLines[i] ?? '').replace(/\r$/, '');
      if (raw.startsWith('#')) continue;
      if (!/^[ \t]/.test(raw) || raw.trim() === '') break;
      const text = raw.trim();
      if (text !== '.') out.push({ text, line: i + 1 });
    }
    if (out.length === 0) this.problem(name, `field ${name} is empty`);
    return out;
  }

  /** A problem for every field that no reader asked for (`X-` fields are free-form notes). */
  rejectUnread(): void {
    for (const field of this.paragraph.fields) {
      const key = field.name.toLowerCase();
      if (this.read.has(key) || key.startsWith('x-')) continue;
      this.problems.push({
        message: `unknown field ${field.name}`,
        location: { file: this.file, line: field.line },
        field: field.name,
      });
    }
  }
}

/**
 * Check `Format-Version` (`MAJOR.MINOR` or `MAJOR.MINOR.PATCH`) against the range this stubforge
 * reads, e.g. `>=1.0.0 <2.0.0`. Returns the normalised semver or undefined (problem recorded).
 */
export function checkFormatVersion(reader: FieldReader, supportedRange: string): string | undefined {
  const value = reader.required('Format-Version');
  if (value === undefined) return undefined;
  const m = VERSION_RE.exec(value);
  if (m === null) {
    reader.problem('Format-Version', `Format-Version "${value}" is not MAJOR.MINOR or MAJOR.MINOR.PATCH`);
    return undefined;
  }
  const normalised = `${m[1] ?? '0'}.${m[2] ?? '0'}.${m[3] ?? '0'}`;
  if (!satisfies(normalised, supportedRange)) {
    reader.problem('Format-Version', `Format-Version ${value} is not supported (this stubforge reads ${supportedRange})`);
    return undefined;
  }
  return normalised;
}

const PACKAGE_NAME_RE = /^[a-z0-9][a-z0-9.+-]+$/;

/** Debian Policy §5.6.1/§5.6.7 package name (source or binary). */
export function isPackageName(name: string): boolean {
  return PACKAGE_NAME_RE.test(name);
}
