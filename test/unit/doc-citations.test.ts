// Every document a comment or a page cites is one the repository holds (docs/conventions.md §13):
// a newcomer who clones the repository must find each one. Scanned: the Markdown pages (README,
// docs/, bench/, test fixtures' READMEs), the comments of the code (src/, test/, bench/), and the
// recipes, arch files and docker/ scripts whole. A citation is a name ending in `.md`; it resolves
// from the repository root or from the citing file's folder. Another project's file is written
// `project:path` (rumprun:doc/config.md) and is not ours to hold. `docs/conventions.md §N` must name a
// rule the page has.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const SKIP = new Set(['node_modules', 'dist', '.git']);

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out;
}

/** The text of `file` that may cite a document: all of a page or config file, the comments of code. */
export function citingText(file: string, text: string): string {
  if (!/\.(ts|mjs|js)$/.test(file)) return text;
  const blocks = text.match(/\/\*[\s\S]*?\*\//g) ?? [];
  // A line comment starts the line or follows white space (so `http://` in a string is not one).
  const lines = text.split('\n').flatMap((l) => /(?:^|\s)\/\/(.*)$/.exec(l)?.[1] ?? []);
  return [...blocks, ...lines].join('\n');
}

/** `.md` names cited in `text`, other projects' (`project:path`) left out, URLs left out. */
export function citedDocuments(text: string): string[] {
  const withoutUrls = text.replace(/\bhttps?:\/\/\S+/g, ' ');
  const cited: string[] = [];
  for (const m of withoutUrls.matchAll(/(?<![\w./:-])([A-Za-z][\w+-]*:)?((?:\.\.?\/)*[\w][\w./-]*\.md)\b/g)) {
    if (m[1] !== undefined) continue;
    if (m[2] !== undefined) cited.push(m[2]);
  }
  return cited;
}

function resolves(citing: string, cited: string): boolean {
  return existsSync(join(ROOT, cited)) || existsSync(join(dirname(citing), cited));
}

const scanned = [
  ...walk(join(ROOT, 'src')).filter((f) => f.endsWith('.ts')),
  ...walk(join(ROOT, 'test')).filter((f) => /\.(ts|mjs|md)$/.test(f)),
  ...walk(join(ROOT, 'bench')).filter((f) => /\.(ts|mjs|md)$/.test(f)),
  ...walk(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')),
  ...['recipes', 'arch', 'docker'].flatMap((d) => walk(join(ROOT, d))),
  join(ROOT, 'README.md'), join(ROOT, 'vitest.config.ts'), join(ROOT, 'eslint.config.js'),
];

describe('citations of documents', () => {
  it('finds citations in comments and pages, and leaves out URLs, strings of code and other projects', () => {
    const code = "// see docs/building.md and (rumprun.md)\nconst names = ['LICENSE.md'];\n/* docs/solver.md */ const u = 'http://x.invalid/a.md';\n";
    expect(citedDocuments(citingText('x.ts', code))).toEqual(['docs/solver.md', 'docs/building.md', 'rumprun.md']);
    expect(citedDocuments('keys per rumprun:doc/config.md; [cli](cli.md), [bench](../bench/README.md)')).toEqual(['cli.md', '../bench/README.md']);
  });

  it('every cited .md file is in the repository', () => {
    const dangling: string[] = [];
    for (const file of scanned) {
      const text = citingText(file, readFileSync(file, 'utf8'));
      for (const cited of citedDocuments(text)) {
        if (!resolves(file, cited)) dangling.push(`${relative(ROOT, file)}: ${cited}`);
      }
    }
    expect(dangling).toEqual([]);
  });

  it('every rule of docs/conventions.md a citation names exists', () => {
    const rules = new Set([...readFileSync(join(ROOT, 'docs/conventions.md'), 'utf8').matchAll(/^(\d+)\. /gm)].map((m) => m[1]));
    const missing: string[] = [];
    for (const file of scanned) {
      for (const m of citingText(file, readFileSync(file, 'utf8')).matchAll(/conventions\.md §(\d+)/g)) {
        if (!rules.has(m[1])) missing.push(`${relative(ROOT, file)}: §${m[1] ?? ''}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
