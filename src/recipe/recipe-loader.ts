// Reading the recipes folders (I/O): `recipes/<name>` (one file) or `recipes/<name>/recipe` with
// `patches/`. Parsing and validation are recipe-file.ts; this lists, reads and digests.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sha256Hex } from '../model/brand.js';
import { err, ok, type Result } from '../model/result.js';
import { parseRecipe, type RecipeFileError } from './recipe-file.js';
import type { PatchFile, Recipe, RecipeSet } from './recipe.js';
import { describeError } from '../io/describe-error.js';
import { isErrno } from '../io/errno.js';

export interface RecipeFileSystem {
  readFile(path: string): Promise<string>;
  /** Entries of a folder; a missing folder rejects with code ENOENT. */
  list(path: string): Promise<readonly { readonly name: string; readonly isDirectory: boolean }[]>;
}

export const nodeRecipeFiles: RecipeFileSystem = {
  readFile: (path) => readFile(path, 'utf8'),
  list: async (path) => (await readdir(path, { withFileTypes: true })).map((d) => ({ name: d.name, isDirectory: d.isDirectory() })),
};

export type RecipeLoadError =
  | RecipeFileError
  | { readonly reason: 'io-error'; readonly file: string; readonly detail: string };

function isMissing(e: unknown): boolean {
  return isErrno(e, 'ENOENT');
}

function ioError(file: string, e: unknown): RecipeLoadError {
  return { reason: 'io-error', file, detail: describeError(e) };
}

/** Files in recipes/ that are documentation, not recipes. */
function isNotARecipe(name: string): boolean {
  return name.startsWith('.') || name.startsWith('README') || name.endsWith('.md');
}

/** Digest over the recipe text and each patch, so editing a patch changes the cache key. */
function digest(text: string, patches: readonly { name: string; text: string }[]): Sha256Hex {
  const h = createHash('sha256').update('recipe\0').update(text);
  for (const p of patches) h.update(`\0patches/${p.name}\0`).update(p.text);
  return h.digest('hex') as Sha256Hex;
}

async function loadOne(dir: string, name: string, isDirectory: boolean, fs: RecipeFileSystem): Promise<Result<Recipe, RecipeLoadError>> {
  const file = isDirectory ? join(dir, name, 'recipe') : join(dir, name);
  let text: string;
  try {
    text = await fs.readFile(file);
  } catch (e: unknown) {
    return err(ioError(file, e));
  }
  if (!isDirectory) return parseRecipe({ text, file, name, contentSha256: digest(text, []) });
  const patchDir = join(dir, name, 'patches');
  const patches: { name: string; text: string }[] = [];
  try {
    const entries = [...(await fs.list(patchDir))].filter((e) => !e.isDirectory).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) patches.push({ name: e.name, text: await fs.readFile(join(patchDir, e.name)) });
  } catch (e: unknown) {
    if (!isMissing(e)) return err(ioError(patchDir, e));
  }
  const patchFiles: PatchFile[] = patches.map((p) => ({
    name: p.name,
    contentSha256: createHash('sha256').update(p.text).digest('hex') as Sha256Hex,
  }));
  return parseRecipe({ text, file, name, patchFiles, contentSha256: digest(text, patches) });
}

/**
 * Load every recipe of `dirs`; a name found in an earlier folder hides the same name later (the
 * user's recipes first, stubforge's own last). Any bad recipe fails the load with all errors.
 */
export async function loadRecipes(dirs: readonly string[], fs: RecipeFileSystem = nodeRecipeFiles): Promise<Result<RecipeSet, readonly RecipeLoadError[]>> {
  const byName = new Map<string, Recipe>();
  const errors: RecipeLoadError[] = [];
  for (const dir of dirs) {
    let entries: readonly { name: string; isDirectory: boolean }[];
    try {
      entries = await fs.list(dir);
    } catch (e: unknown) {
      if (isMissing(e)) continue;
      errors.push(ioError(dir, e));
      continue;
    }
    for (const entry of entries) {
      if (isNotARecipe(entry.name) || byName.has(entry.name)) continue;
      const loaded = await loadOne(dir, entry.name, entry.isDirectory, fs);
      if (loaded.ok) byName.set(entry.name, loaded.value);
      else errors.push(loaded.error);
    }
  }
  return errors.length > 0 ? err(errors) : ok({ byName });
}
