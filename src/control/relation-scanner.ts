// The scanner behind `parseRelations`: one relation (`name:qual (op ver) [archs] <profiles>`) at
// a time, each failure with the 0-based offset of the character at fault. The accepted syntax is
// the one of Dpkg::Deps::Simple (the parser dpkg-checkbuilddeps, dpkg-source and sbuild use), in
// the same order of parts; where that parser accepts nonsense through a loose regex (`<a><b>` read
// as one profile named `a><b`, `(=>1)` read as `= >1`, a version that is not one) this scanner
// says so instead. docs/library-api.md lists every difference.
import type { ArchTerm, ProfileTerm, Relation, VersionConstraint, VersionOperator } from '../model/relation.js';
import { parseVersion } from '../version/deb-version.js';

/** Internal: thrown by the scanner, caught by `parseRelations`, which returns it as a value. */
export class RelationSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const NAME_START = /[a-zA-Z0-9]/;
const NAME_CHAR = /[a-zA-Z0-9+.-]/;
const ARCH_START = /[a-zA-Z0-9]/;
const ARCH_CHAR = /[a-zA-Z0-9-]/;
const PROFILE_START = /[a-zA-Z0-9]/;
const PROFILE_CHAR = /[a-zA-Z0-9+._-]/;
/** What Perl's `\s` is on dpkg's byte strings; Unicode spaces are not whitespace in a control file. */
const WHITESPACE = ' \t\n\r\f\v';

/** `<` and `>` alone are dpkg's obsolete spellings of `<=` and `>=`. */
const OPERATORS: readonly (readonly [written: string, op: VersionOperator])[] = [
  ['<<', '<<'], ['<=', '<='], ['>=', '>='], ['>>', '>>'], ['=', '='], ['<', '<='], ['>', '>='],
];

type Fail = (message: string, offset: number) => never;

export class RelationScanner {
  pos = 0;

  constructor(readonly text: string) {}

  private readonly fail: Fail = (message, offset) => {
    throw new RelationSyntaxError(message, offset);
  };

  peek(): string {
    return this.text.charAt(this.pos);
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  skipWhitespace(): void {
    while (!this.atEnd() && WHITESPACE.includes(this.peek())) this.pos++;
  }

  private word(start: RegExp, rest: RegExp): string {
    const from = this.pos;
    if (this.atEnd() || !start.test(this.peek())) return '';
    this.pos++;
    while (!this.atEnd() && rest.test(this.peek())) this.pos++;
    return this.text.slice(from, this.pos);
  }

  private describe(offset: number): string {
    const c = this.text.charAt(offset);
    if (c === '') return 'end of field';
    if (c === '\n') return 'end of line';
    return `'${c}'`;
  }

  /** One relation, starting at a non-blank character. Throws RelationSyntaxError. */
  relation(): Relation {
    const nameAt = this.pos;
    const name = this.word(NAME_START, NAME_CHAR);
    if (name === '') this.fail(`expected a package name, found ${this.describe(nameAt)}`, nameAt);
    let archQualifier: string | undefined;
    if (this.peek() === ':') {
      this.pos++;
      const qualAt = this.pos;
      archQualifier = this.word(ARCH_START, ARCH_CHAR);
      if (archQualifier === '') {
        this.fail(`expected an architecture qualifier after '${name}:', found ${this.describe(qualAt)}`, qualAt);
      }
    }
    let version: VersionConstraint | undefined;
    let writtenOp: string | undefined;
    let archs: ArchTerm[] | undefined;
    const profiles: ProfileTerm[][] = [];
    let lastGroupEnd = -1;
    for (;;) {
      this.skipWhitespace();
      const c = this.peek();
      const at = this.pos;
      if (c === '(') {
        if (version !== undefined) this.fail(`'${name}' has a second version restriction`, at);
        if (archs !== undefined || profiles.length > 0) {
          this.fail(`the version restriction of '${name}' must come before '[...]' and '<...>'`, at);
        }
        [version, writtenOp] = this.versionPart(name);
      } else if (c === '[') {
        if (archs !== undefined) this.fail(`'${name}' has a second architecture list`, at);
        if (profiles.length > 0) this.fail(`the architecture list of '${name}' must come before '<...>'`, at);
        archs = this.archPart();
      } else if (c === '<') {
        if (at === lastGroupEnd) {
          this.fail('restriction lists must be separated by whitespace (dpkg would read \'><\' as part of a profile name)', at);
        }
        profiles.push(this.profilePart());
        lastGroupEnd = this.pos;
      } else {
        break;
      }
    }
    const relation: Relation = {
      name,
      ...(archQualifier === undefined ? {} : { archQualifier }),
      ...(version === undefined ? {} : { version }),
      ...(archs === undefined ? {} : { archs }),
      ...(profiles.length === 0 ? {} : { profiles }),
      text: '',
    };
    return { ...relation, text: renderRelation(relation, writtenOp) };
  }

  private versionPart(name: string): [VersionConstraint, string] {
    this.pos++; // '('
    this.skipWhitespace();
    const opAt = this.pos;
    const match = OPERATORS.find(([written]) => this.text.startsWith(written, this.pos));
    if (match === undefined) {
      this.fail(`expected a relation operator (<< <= = >= >>) in the version restriction of '${name}', ` +
        `found ${this.describe(opAt)}`, opAt);
    }
    const [written, op] = match;
    this.pos += written.length;
    this.skipWhitespace();
    const versionAt = this.pos;
    while (!this.atEnd() && !WHITESPACE.includes(this.peek()) && !'()<>[],|'.includes(this.peek())) this.pos++;
    const versionText = this.text.slice(versionAt, this.pos);
    if (versionText === '') {
      this.fail(`expected a version after '${written}' for '${name}', found ${this.describe(versionAt)}`, versionAt);
    }
    this.skipWhitespace();
    if (this.peek() !== ')') {
      const at = this.pos;
      this.fail(`version restriction of '${name}' is not closed: expected ')', found ${this.describe(at)}`, at);
    }
    this.pos++;
    const parsed = parseVersion(versionText);
    if (!parsed.ok) {
      this.fail(`invalid version '${versionText}' for '${name}': ${parsed.error.message}`,
        versionAt + (parsed.error.offset ?? 0));
    }
    return [{ op, version: versionText }, written];
  }

  private archPart(): ArchTerm[] {
    const open = this.pos;
    this.pos++; // '['
    const terms: ArchTerm[] = [];
    for (;;) {
      this.skipWhitespace();
      if (this.peek() === ']') break;
      const at = this.pos;
      const negated = this.peek() === '!';
      if (negated) this.pos++;
      const arch = this.word(ARCH_START, ARCH_CHAR);
      if (arch === '') this.fail(`expected an architecture in '[...]', found ${this.describe(this.pos)}`, this.pos);
      const next = this.peek();
      if (next !== ']' && !WHITESPACE.includes(next)) {
        this.fail(`unexpected ${this.describe(this.pos)} in architecture '${this.text.slice(at, this.pos)}'`, this.pos);
      }
      if (terms.length > 0 && terms[0]?.negated !== negated) {
        this.fail('an architecture list must be all negated (!arch) or all plain, not mixed (Policy §7.1)', at);
      }
      terms.push({ negated, arch });
    }
    if (terms.length === 0) this.fail('empty architecture list', open);
    this.pos++; // ']'
    return terms;
  }

  private profilePart(): ProfileTerm[] {
    const open = this.pos;
    this.pos++; // '<'
    const terms: ProfileTerm[] = [];
    for (;;) {
      this.skipWhitespace();
      if (this.peek() === '>') break;
      const negated = this.peek() === '!';
      if (negated) this.pos++;
      const profile = this.word(PROFILE_START, PROFILE_CHAR);
      if (profile === '') this.fail(`expected a build profile in '<...>', found ${this.describe(this.pos)}`, this.pos);
      const next = this.peek();
      if (next !== '>' && !WHITESPACE.includes(next)) {
        this.fail(`unexpected ${this.describe(this.pos)} in build profile '${profile}'`, this.pos);
      }
      terms.push({ negated, profile });
    }
    if (terms.length === 0) this.fail('empty restriction list', open);
    this.pos++; // '>'
    return terms;
  }
}

/** The one-line form dpkg prints (`Dpkg::Deps::Simple::output`), with the operator given. */
export function renderRelation(r: Relation, op: string | undefined = r.version?.op): string {
  let out = r.name;
  if (r.archQualifier !== undefined) out += `:${r.archQualifier}`;
  if (r.version !== undefined) out += ` (${op ?? r.version.op} ${r.version.version})`;
  if (r.archs !== undefined) out += ` [${r.archs.map((a) => (a.negated ? '!' : '') + a.arch).join(' ')}]`;
  for (const group of r.profiles ?? []) {
    out += ` <${group.map((p) => (p.negated ? '!' : '') + p.profile).join(' ')}>`;
  }
  return out;
}
