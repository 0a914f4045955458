// Shared setup of the solver tests: the real index excerpts of test/fixtures/solver (captured by
// its capture.mjs from bookworm, bookworm-updates and bookworm-security), the shipped arch files
// with dpkg's real tables (test/fixtures/dpkg), and the shipped or test recipes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArchFile, type PartialArch } from '../../src/arch/arch-file.js';
import { parseArchTables, type ArchTable } from '../../src/arch/dpkg-arch.js';
import { parsePackagesIndex, parseSourcesIndex } from '../../src/archive/index-records.js';
import type { ArchiveIndex, BinaryRecord, SourceRecord } from '../../src/model/archive.js';
import { loadRecipes } from '../../src/recipe/recipe-loader.js';
import type { RecipeSet } from '../../src/recipe/recipe.js';

export const ROOT = join(import.meta.dirname, '../..');
const FIXTURES = join(ROOT, 'test/fixtures/solver');

export type Suite = 'bookworm' | 'bookworm-updates' | 'bookworm-security';

function records(suite: Suite): { sources: SourceRecord[]; binaries: BinaryRecord[] } {
  const label = (file: string): { file: string; suite: string; component: string } => ({ file, suite, component: 'main' });
  const sFile = join(FIXTURES, `${suite}-main-Sources`);
  const pFile = join(FIXTURES, `${suite}-main-amd64-Packages`);
  const s = parseSourcesIndex(readFileSync(sFile, 'utf8'), label(sFile));
  const p = parsePackagesIndex(readFileSync(pFile, 'utf8'), label(pFile));
  if (!s.ok || !p.ok || s.value.diagnostics.length + p.value.diagnostics.length > 0) throw new Error(`fixture ${suite} does not parse cleanly`);
  return { sources: s.value.records, binaries: p.value.records };
}

/** The fixture index of the given suites, in that order (the order ties are broken by). */
export function fixtureIndex(suites: readonly Suite[] = ['bookworm']): ArchiveIndex {
  const parts = suites.map(records);
  return {
    suites: suites.map((suite) => ({ suite, component: 'main', mirror: 'http://mirror.invalid/debian' })),
    sources: parts.flatMap((p) => p.sources),
    binaries: parts.flatMap((p) => p.binaries),
  };
}

const dpkg = (name: string): string => readFileSync(join(ROOT, 'test/fixtures/dpkg', name), 'utf8');

/** bookworm main's Sources and amd64 Packages excerpt of another capture (test/fixtures/<dir>). */
export function bookwormExcerpt(dir: string): ArchiveIndex {
  const label = (file: string): { file: string; suite: string; component: string } => ({ file, suite: 'bookworm', component: 'main' });
  const s = parseSourcesIndex(readFileSync(join(ROOT, 'test/fixtures', dir, 'bookworm-main-Sources'), 'utf8'), label('Sources'));
  const p = parsePackagesIndex(readFileSync(join(ROOT, 'test/fixtures', dir, 'bookworm-main-amd64-Packages'), 'utf8'), label('Packages'));
  if (!s.ok || !p.ok) throw new Error(`test/fixtures/${dir} does not parse`);
  return { suites: [{ suite: 'bookworm', component: 'main', mirror: 'http://mirror.invalid/debian' }], sources: s.value.records, binaries: p.value.records };
}

export type ArchName = 'musl-linux-amd64' | 'rumprun-amd64';

/** A shipped arch file and dpkg's tables taught its Dpkg-* lines. */
export function shippedArch(name: ArchName): { arch: PartialArch; table: ArchTable } {
  const parsed = parseArchFile(readFileSync(join(ROOT, 'arch', name), 'utf8'), `arch/${name}`, name);
  if (!parsed.ok) throw new Error(`arch/${name}: ${JSON.stringify(parsed.error)}`);
  const t = parsed.value.dpkgTables;
  const table = parseArchTables(
    { cputable: dpkg('cputable'), ostable: dpkg('ostable'), tupletable: dpkg('tupletable') },
    { ostable: t.ostable.join('\n'), tupletable: t.tupletable.join('\n') },
  );
  if (!table.ok) throw new Error(table.error.message);
  return { arch: parsed.value, table: table.value };
}

async function recipesFrom(dir: string): Promise<RecipeSet> {
  const loaded = await loadRecipes([dir]);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  return loaded.value;
}

export const shippedRecipes = (): Promise<RecipeSet> => recipesFrom(join(ROOT, 'recipes'));
/** Test recipes (not shipped) that narrow util-linux and systemd to the relations of their cycle. */
export const cycleRecipes = (): Promise<RecipeSet> => recipesFrom(join(FIXTURES, 'recipes'));
export const noRecipes: RecipeSet = { byName: new Map() };
