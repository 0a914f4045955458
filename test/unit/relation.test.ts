import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseArchTables } from '../../src/arch/dpkg-arch.js';
import { parseDeb822 } from '../../src/control/deb822.js';
import { reduceRelations, reduceRelationsExplained } from '../../src/control/relation-eval.js';
import { formatRelation, formatRelationList, parseRelations } from '../../src/control/relation.js';
import type { RelationList } from '../../src/model/relation.js';

const fixture = (path: string): string => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');

// Real Build-Depends/-Conflicts of 56 bookworm sources (Sources, main), and what dpkg's own
// Dpkg::Deps made of each: see test/fixtures/relations/capture-dpkg-answers.pl.
const SOURCES_FILE = 'relations/bookworm-build-relations.sources';

interface DpkgAnswer {
  readonly package: string;
  readonly version: string;
  readonly field: string;
  readonly normalised: string;
  readonly reduced: Readonly<Record<string, string>>;
}

const answers = JSON.parse(fixture('relations/dpkg-answers.json')) as DpkgAnswer[];
const paragraphs = (() => {
  const parsed = parseDeb822(fixture(SOURCES_FILE), { file: SOURCES_FILE });
  if (!parsed.ok) throw new Error(parsed.error.message);
  return new Map(parsed.value.map((p) => [p.get('Package') ?? '', p]));
})();

function fieldOf(answer: DpkgAnswer): { text: string; line: number } {
  const field = paragraphs.get(answer.package)?.field(answer.field);
  if (field === undefined) throw new Error(`${answer.package} ${answer.field} missing from ${SOURCES_FILE}`);
  return { text: field.value, line: field.line };
}

function parseOk(text: string): RelationList {
  const r = parseRelations(text, { file: 'test' });
  if (!r.ok) throw new Error(`${r.error.message} at offset ${r.error.offset}`);
  return r.value;
}

const table = (() => {
  const t = parseArchTables(
    { cputable: fixture('dpkg/cputable'), ostable: fixture('dpkg/ostable'), tupletable: fixture('dpkg/tupletable') },
    { ostable: fixture('dpkg/extra-ostable'), tupletable: fixture('dpkg/extra-tupletable') },
  );
  if (!t.ok) throw new Error(t.error.message);
  return t.value;
})();

const cases = answers.map((a) => ({ ...a, ...fieldOf(a), name: `${a.package} ${a.version} ${a.field}` }));

describe('parseRelations on real bookworm fields', () => {
  it('has the captured fields', () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
  });

  it.each(cases)('$name: parses and prints as dpkg does', ({ text, line, normalised }) => {
    const r = parseRelations(text, { file: SOURCES_FILE, line });
    if (!r.ok) throw new Error(r.error.message);
    expect(formatRelationList(r.value)).toBe(normalised);
  });

  const contexts = Object.keys(answers[0]?.reduced ?? {});
  const reduceCases = cases.flatMap((c) => contexts.map((ctx) => ({ ...c, ctx })));

  it.each(reduceCases)('$name for $ctx: reduces to what dpkg-checkbuilddeps keeps', ({ text, ctx, reduced }) => {
    const [hostArch = '', ...profiles] = ctx.split(' ');
    const kept = reduceRelations(parseOk(text), { hostArch, buildArch: 'amd64', profiles, table });
    expect(formatRelationList(kept)).toBe(reduced[ctx]);
  });
});

describe('parseRelations on a debian/control with continuation lines', () => {
  // qemu's own debian/control (bookworm), captured by the deb822 tests.
  const control = parseDeb822(fixture('control/qemu_7.2+dfsg-7+deb12u18.control'), { file: 'debian/control', comments: true });

  it('gives the same relations for the raw multi-line value and the folded one', () => {
    if (!control.ok) throw new Error(control.error.message);
    const source = control.value[0];
    const raw = source?.get('Build-Depends') ?? '';
    expect(raw).toContain('\n');
    expect(parseOk(raw)).toEqual(parseOk(source?.getFolded('Build-Depends') ?? ''));
  });
});

describe('relation syntax', () => {
  it.each([
    ['foo:any (>= 1.2) [linux-any] <!nocheck> <cross>', 'foo:any (>= 1.2) [linux-any] <!nocheck> <cross>'],
    ['foo(>=1.2)[linux-any]<!nocheck>', 'foo (>= 1.2) [linux-any] <!nocheck>'],
    ['  foo  (  <<  2:1.0~rc1-1  )  ', 'foo (<< 2:1.0~rc1-1)'],
    ['a, b,', 'a, b'],
    ['a,\n b |\n\tc', 'a, b | c'],
    ['', ''],
    [' \n ', ''],
    ['libc6-dev:native', 'libc6-dev:native'],
    ['Foo.Bar+2', 'Foo.Bar+2'],
  ])('accepts %j as %j', (text, printed) => {
    expect(formatRelationList(parseOk(text))).toBe(printed);
  });

  it.each([
    ['foo (< 1.0)', '<=', 'foo (< 1.0)', 'foo (<= 1.0)'],
    ['foo (> 1.0)', '>=', 'foo (> 1.0)', 'foo (>= 1.0)'],
  ])('normalises the obsolete operator in %j to %s, keeping what was written in text', (text, op, written, printed) => {
    const [relation] = parseOk(text)[0] ?? [];
    expect(relation?.version?.op).toBe(op);
    expect(relation?.text).toBe(written);
    if (relation !== undefined) expect(formatRelation(relation)).toBe(printed);
  });

  it('keeps profile groups as a disjunction of conjunctions', () => {
    const [relation] = parseOk('gcc <cross !nocheck> <stage1>')[0] ?? [];
    expect(relation?.profiles).toEqual([
      [{ negated: false, profile: 'cross' }, { negated: true, profile: 'nocheck' }],
      [{ negated: false, profile: 'stage1' }],
    ]);
  });

  it.each([
    ['a,,b', 2, 'empty relation between two commas'],
    [',a', 0, 'empty relation before the first comma'],
    ['a, ,', 3, 'empty relation between two commas'],
    ['a | | b', 4, "empty alternative after '|'"],
    ['a |', 3, "empty alternative after '|'"],
    ['| a', 0, "empty alternative before '|'"],
    ['a :any', 2, "unexpected ':'"],
    ['a:', 2, 'expected an architecture qualifier'],
    ['a_b', 1, "unexpected '_'"],
    ['a (1.0)', 3, 'expected a relation operator'],
    ['a (=>1)', 4, "expected a version after '='"],
    ['a (>= 1 2)', 8, "expected ')', found '2'"],
    ['a (>= 1.0, b', 9, "expected ')', found ','"],
    ['a (>= abc)', 6, 'version number does not start with digit'],
    ['a (>= 1.0_1)', 9, 'invalid character in version number'],
    ['a (>= 1:)', 8, 'nothing after colon'],
    ['a (>= 1) (<< 2)', 9, 'second version restriction'],
    ['a [amd64] (>= 1)', 10, 'must come before'],
    ['a <x> [amd64]', 6, 'must come before'],
    ['a [amd64 !i386]', 9, 'all negated (!arch) or all plain'],
    ['a []', 2, 'empty architecture list'],
    ['a [linux-any', 12, 'found end of field'],
    ['a [! amd64]', 4, 'expected an architecture'],
    ['a [amd64] [i386]', 10, 'second architecture list'],
    ['a <>', 2, 'empty restriction list'],
    ['a <!nocheck><cross>', 12, 'separated by whitespace'],
    ['a <! nocheck>', 4, 'expected a build profile'],
    ['(>= 1.0)', 0, 'expected a package name'],
  ])('rejects %j at offset %i (%s)', (text, offset, message) => {
    const r = parseRelations(text, { file: 'debian/control', line: 7 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ reason: 'invalid-relation', text, offset });
    expect(r.error.message).toContain(message);
  });

  it('names the continuation line holding the error', () => {
    const r = parseRelations('a,\n b,\n c (>= x)', { file: 'debian/control', line: 10 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.location).toEqual({ file: 'debian/control', line: 12 });
  });
});

describe('reduceRelationsExplained', () => {
  const ctx = { hostArch: 'musl-linux-amd64', buildArch: 'amd64', profiles: ['cross', 'nocheck'], table };

  it('says why each relation went and drops a group left empty', () => {
    const list = parseOk('a [!musl-linux-any] | b <!cross>, c <!nocheck> <stage1>, d [linux-any] <cross>');
    const { kept, dropped } = reduceRelationsExplained(list, ctx);
    expect(formatRelationList(kept)).toBe('d');
    expect(dropped.map((d) => [d.relation.name, d.reason, d.group, d.detail])).toEqual([
      ['a', 'arch', 0, '[!musl-linux-any] excludes host architecture musl-linux-amd64'],
      ['b', 'profile', 0, '<!cross> is false with profiles cross nocheck'],
      ['c', 'profile', 1, '<!nocheck> <stage1> is false with profiles cross nocheck'],
    ]);
  });

  it('evaluates the arch list of a :native relation for the host architecture', () => {
    const list = parseOk('tool:native [amd64], lib [musl-linux-amd64]');
    expect(formatRelationList(reduceRelations(list, ctx))).toBe('lib');
  });

  it('knows rumprun-amd64 from the extra table lines: a netbsd arch, not a linux one', () => {
    const list = parseOk('a [linux-any], b [netbsd-any], c [!rumprun-netbsd-any], d [any-amd64]');
    const kept = reduceRelations(list, { ...ctx, hostArch: 'rumprun-amd64' });
    expect(formatRelationList(kept)).toBe('b, d');
  });
});
