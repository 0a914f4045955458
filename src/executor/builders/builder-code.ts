// The digest of stubforge's own code that turns an arch and a recipe into the commands a build
// runs, part of every cache key (plan/cache-key.ts, `builder`): a change to a driver's flags, the
// step script, the toolchain mapping or the recipe model must not let an old package count as
// built by the new code. The plan memo hashes the code that decides a plan the same way
// (cache/plan-memo.ts, codeDigest). Code that only reports, schedules or packages is left out, so
// editing it keeps every key.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Below src/ (or dist/src/): folders (every file, recursively) and single modules (no extension).
 * drivers/: build systems, flags, the static-only policy; recipe/ and arch/arch-file: what the
 * recipe and arch texts mean; the executor's script, mapping, container paths and patch step; how
 * the container runs the step.
 */
export const BUILDER_CODE: readonly string[] = [
  'drivers/', 'recipe/', 'arch/arch-file', 'executor/builders/step-script', 'executor/builders/toolchain-mapping', 'executor/builders/app-step',
  'executor/builders/build-library', 'executor/builders/container-build', 'runtime/build-step',
];

const isCode = (name: string): boolean => /\.(js|ts)$/.test(name) && !name.endsWith('.d.ts');
const stem = (name: string): string => name.slice(0, name.lastIndexOf('.'));

async function listDir(srcRoot: string, rel: string): Promise<string[]> {
  const entries = await readdir(join(srcRoot, rel), { withFileTypes: true });
  const nested = await Promise.all(entries.map(async (e) => {
    const path = `${rel}${e.name}`;
    if (e.isDirectory()) return listDir(srcRoot, `${path}/`);
    return e.isFile() && isCode(e.name) ? [path] : [];
  }));
  return nested.flat();
}

async function builderFiles(srcRoot: string): Promise<string[]> {
  const lists = await Promise.all(BUILDER_CODE.map(async (item) => {
    if (item.endsWith('/')) return listDir(srcRoot, item);
    const cut = item.lastIndexOf('/');
    const dir = item.slice(0, cut);
    const base = item.slice(cut + 1);
    return (await readdir(join(srcRoot, dir))).filter((n) => isCode(n) && stem(n) === base).map((n) => `${dir}/${n}`);
  }));
  return [...new Set(lists.flat())].sort();
}

/**
 * Where the code the keys name lies: the compiled `dist/src/` the CLI runs. Run from the
 * TypeScript sources (a test), this is the checkout's `dist/src/` when it has been built, so that a
 * test and the CLI it starts name the same builder; otherwise the sources themselves.
 */
export function installedCodeRoot(): string {
  const built = fileURLToPath(new URL('../../../dist/src/', import.meta.url));
  return existsSync(built) ? built : fileURLToPath(new URL('../../', import.meta.url));
}

/** SHA-256 over the builder's code below `srcRoot` (default: installedCodeRoot()). */
export async function builderCodeDigest(srcRoot: string = installedCodeRoot()): Promise<string> {
  const files = await builderFiles(srcRoot);
  const contents = await Promise.all(files.map((f) => readFile(join(srcRoot, f))));
  const hash = createHash('sha256').update('stubforge-builder-code 1\0');
  files.forEach((f, i) => hash.update(`${f}\0`).update(contents[i] ?? '').update('\0'));
  return hash.digest('hex');
}

const memo = new Map<string, Promise<string>>();

/** The same digest, computed once per process (the code does not change under a running process). */
export function builderCode(srcRoot?: string): Promise<string> {
  const key = srcRoot ?? '';
  let digest = memo.get(key);
  if (digest === undefined) {
    digest = builderCodeDigest(srcRoot);
    memo.set(key, digest);
  }
  return digest;
}
