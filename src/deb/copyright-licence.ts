// What a Debian copyright file says about licences (pure), for two decisions about an embedded
// source: whether it goes into Built-Using, and what the SPDX document declares for it.
//
// Built-Using (Policy §7.8) is for sources "whose licence requires the archive to keep them":
// copyleft licences oblige whoever distributes the binary to offer the corresponding source.
// The rule (docs/application-deb.md):
// - machine-readable file (DEP-5 `Format:`): the licence of the `Files: *` paragraph — the licence
//   of the work as a whole — decides. The source is kept when every alternative of that
//   expression (`or`) holds a copyleft licence (`and`): GPL, LGPL, AGPL, MPL, EPL, CDDL, EUPL.
//   Paragraphs for single files (build scripts, test suites, debian/*) do not decide: they are
//   not what a static library is made of, and counting them would keep nearly every source.
// - free-text file (no `Format:`, or unreadable as deb822): kept when the text names a GNU
//   licence — the conservative answer, since keeping a source costs little and missing one would
//   break its licence.
import { parseDeb822 } from '../control/deb822.js';

export interface CopyrightLicences {
  readonly machineReadable: boolean;
  /** The `License:` short expression of the `Files: *` paragraph, as written. */
  readonly mainLicence?: string;
  /** Text of each standalone `License:` paragraph (and of a Files paragraph's own licence text). */
  readonly licenceTexts: ReadonlyMap<string, string>;
  /** Why the file was read as free text. */
  readonly freeTextReason?: string;
}

export function readCopyrightLicences(text: string, file: string): CopyrightLicences {
  const firstLine = text.split('\n', 1)[0] ?? '';
  if (!/^Format:\s*\S/.test(firstLine)) return { machineReadable: false, licenceTexts: new Map(), freeTextReason: 'no Format: header (not DEP-5)' };
  const parsed = parseDeb822(text, { file, comments: true });
  if (!parsed.ok) return { machineReadable: false, licenceTexts: new Map(), freeTextReason: `not readable as deb822: ${parsed.error.message}` };
  let mainLicence: string | undefined;
  const licenceTexts = new Map<string, string>();
  for (const p of parsed.value) {
    const licence = p.get('License');
    if (licence === undefined) continue;
    const [name = '', ...body] = licence.split('\n');
    const short = name.trim();
    if (body.length > 0 && short !== '' && !licenceTexts.has(short)) {
      licenceTexts.set(short, body.map((l) => (l.trim() === '.' ? '' : l)).join('\n'));
    }
    const files = p.getFolded('Files');
    if (files !== undefined && files.split(/\s+/).includes('*') && mainLicence === undefined && short !== '') mainLicence = short;
  }
  return mainLicence === undefined
    ? { machineReadable: true, licenceTexts, freeTextReason: 'no Files: * paragraph with a License' }
    : { machineReadable: true, mainLicence, licenceTexts };
}

/** Short names (DEP-5 / SPDX stems) of licences that require the corresponding source to be offered. */
const COPYLEFT = /^(A?GPL|LGPL|MPL|EPL|CDDL|EUPL)(-|$)/i;
const GNU_LICENCE_TEXT = /GNU (Affero |Lesser |Library )?General Public License|\b(A|L)?GPL\b/;

/** `A or B, and C` → [[A, ...]...]: alternatives of conjunctions, per DEP-5 (`and` binds tighter). */
export function licenceAlternatives(expression: string): string[][] {
  // ", and" joins groups that each may hold alternatives: (A or B) and C. Distribute into DNF.
  const groups = expression.split(/,\s*and\s+/i).map((g) => g.split(/\s+or\s+/i).map((alt) => alt.split(/\s+and\s+/i).map((t) => t.trim()).filter((t) => t !== '')));
  let dnf: string[][] = [[]];
  for (const group of groups) dnf = dnf.flatMap((conj) => group.map((alt) => [...conj, ...alt]));
  return dnf.filter((c) => c.length > 0);
}

function isCopyleft(term: string): boolean {
  // `GPL-2+ with Autoconf exception`: the exception narrows what is covered, the licence stays.
  const name = term.split(/\s+with\s+/i)[0] ?? term;
  return COPYLEFT.test(name.trim());
}

export interface BuiltUsingDecision {
  readonly required: boolean;
  /** Which branch of the rule decided, and on what. */
  readonly because: string;
}

export function builtUsingDecision(licences: CopyrightLicences, text: string): BuiltUsingDecision {
  if (licences.mainLicence !== undefined) {
    const alternatives = licenceAlternatives(licences.mainLicence);
    const required = alternatives.length > 0 && alternatives.every((conj) => conj.some(isCopyleft));
    const why = alternatives.length > 1
      ? (required ? 'copyleft in every alternative' : 'an alternative without a copyleft licence')
      : (required ? 'copyleft' : 'not copyleft');
    return { required, because: `Files: * is "${licences.mainLicence}": ${why}` };
  }
  const mentions = GNU_LICENCE_TEXT.exec(text);
  return mentions === null
    ? { required: false, because: `free-text copyright file (${licences.freeTextReason ?? 'not DEP-5'}) names no GNU licence` }
    : { required: true, because: `free-text copyright file (${licences.freeTextReason ?? 'not DEP-5'}) names "${mentions[0]}"` };
}

/** DEP-5 short names whose SPDX identifier differs or must be spelled exactly. */
const SPDX_IDS: ReadonlyMap<string, string> = new Map([
  ['gpl-1', 'GPL-1.0-only'], ['gpl-1+', 'GPL-1.0-or-later'], ['gpl-2', 'GPL-2.0-only'], ['gpl-2+', 'GPL-2.0-or-later'],
  ['gpl-3', 'GPL-3.0-only'], ['gpl-3+', 'GPL-3.0-or-later'], ['lgpl-2', 'LGPL-2.0-only'], ['lgpl-2+', 'LGPL-2.0-or-later'],
  ['lgpl-2.1', 'LGPL-2.1-only'], ['lgpl-2.1+', 'LGPL-2.1-or-later'], ['lgpl-3', 'LGPL-3.0-only'], ['lgpl-3+', 'LGPL-3.0-or-later'],
  ['agpl-3', 'AGPL-3.0-only'], ['agpl-3+', 'AGPL-3.0-or-later'], ['expat', 'MIT'], ['mit', 'MIT'], ['zlib', 'Zlib'],
  ['isc', 'ISC'], ['bsd-2-clause', 'BSD-2-Clause'], ['bsd-3-clause', 'BSD-3-Clause'], ['bsd-4-clause', 'BSD-4-Clause'],
  ['apache-2.0', 'Apache-2.0'], ['cc0-1.0', 'CC0-1.0'], ['mpl-1.1', 'MPL-1.1'], ['mpl-2.0', 'MPL-2.0'], ['x11', 'X11'],
  ['fsfullr', 'FSFULLR'], ['fsfap', 'FSFAP'], ['unicode-dfs-2016', 'Unicode-DFS-2016'], ['afl-2.0', 'AFL-2.0'],
  ['bzip2-1.0.6', 'bzip2-1.0.6'], ['psf-2', 'PSF-2.0'],
]);

const SPDX_EXCEPTIONS: ReadonlyMap<string, string> = new Map([
  ['autoconf', 'Autoconf-exception-generic'], ['libtool', 'Libtool-exception'], ['bison', 'Bison-exception-2.2'],
  ['llvm', 'LLVM-exception'], ['gcc', 'GCC-exception-3.1'], ['classpath', 'Classpath-exception-2.0'],
]);

/** A licence name SPDX has no identifier for, as a `LicenseRef-` (idstring: letters, digits, `.` and `-`). */
export function licenceRef(term: string): string {
  return `LicenseRef-${term.replace(/\+/g, '-or-later').replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '')}`;
}

function spdxTerm(term: string, refs: Set<string>): string {
  const [name = '', exception] = term.split(/\s+with\s+/i);
  const id = SPDX_IDS.get(name.trim().toLowerCase());
  const exceptionId = exception === undefined ? undefined : SPDX_EXCEPTIONS.get(exception.replace(/\s+exception$/i, '').trim().toLowerCase());
  if (id !== undefined && exception === undefined) return id;
  if (id !== undefined && exceptionId !== undefined) return `${id} WITH ${exceptionId}`;
  const ref = licenceRef(term);
  refs.add(term);
  return ref;
}

export interface SpdxLicence {
  /** The SPDX licence expression. */
  readonly expression: string;
  /** DEP-5 terms written as `LicenseRef-`: each needs an extracted licence text. */
  readonly refs: readonly string[];
}

/** A DEP-5 licence expression in SPDX syntax; terms SPDX does not know become `LicenseRef-`s. */
export function spdxLicenceExpression(dep5: string): SpdxLicence {
  const refs = new Set<string>();
  const alternatives = licenceAlternatives(dep5).map((conj) => conj.map((t) => spdxTerm(t, refs)));
  const text = alternatives.map((conj) => (conj.length > 1 && alternatives.length > 1 ? `(${conj.join(' AND ')})` : conj.join(' AND '))).join(' OR ');
  return { expression: text, refs: [...refs] };
}
