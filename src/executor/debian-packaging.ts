// The executor's side of the debian driver: reading a source's debian/rules for it, which binary
// packages a build publishes, and the per-package file lists the collect step leaves in the output
// (taken out before the output is checked and packed).
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CrossBinarySpec } from '../cache/cross-package.js';
import { CLAIMS_DIR_NAME } from '../drivers/debian/collect-script.js';
import { readDebianRules } from '../drivers/debian/debian-rules.js';
import type { DebianPackaging } from '../drivers/driver.js';

/**
 * The binary packages a build publishes as -cross packages: the recipe's `Publish`, else those the
 * plan's dependants need, else (the plan's target itself) every `-dev` package of the source.
 */
export function publishedBinaries(recipePublish: readonly string[], needed: readonly string[], sourceBinaries: readonly string[]): string[] {
  if (recipePublish.length > 0) return [...recipePublish];
  if (needed.length > 0) return [...needed];
  return sourceBinaries.filter((b) => b.endsWith('-dev'));
}

/**
 * DEB_BUILD_PROFILES of a build through Debian's packaging: every profile of the plan node (the
 * arch's, the recipe's and the ones the solver chose, which removed relations from the plan and
 * which debian/rules must see to build without them), plus the arch's and the recipe's.
 */
export function debianBuildProfiles(nodeProfiles: readonly string[], archProfiles: readonly string[], recipeProfiles: readonly string[]): string[] {
  return [...new Set([...archProfiles, ...recipeProfiles, ...nodeProfiles])].sort();
}

/** The packaging facts of an unpacked source; `undefined` when it has no debian/rules. */
export async function debianPackaging(sourceDir: string, plan: Omit<DebianPackaging, 'rules'>): Promise<DebianPackaging | undefined> {
  let text: string;
  try {
    text = await readFile(join(sourceDir, 'debian', 'rules'), 'utf8');
  } catch {
    return undefined;
  }
  return { ...plan, rules: readDebianRules(text, 'debian/rules') };
}

/** Reads and removes `<out>/.stubforge-claims/`: package → its files (relative to usr/<triplet>/). */
export async function takeClaims(outputDir: string): Promise<ReadonlyMap<string, readonly string[]>> {
  const dir = join(outputDir, CLAIMS_DIR_NAME);
  const claims = new Map<string, string[]>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return claims;
  }
  for (const name of names.sort()) {
    const text = await readFile(join(dir, name), 'utf8');
    claims.set(name, text.split('\n').filter((l) => l !== ''));
  }
  await rm(dir, { recursive: true, force: true });
  return claims;
}

/**
 * The -cross packages of a build and the files each takes. Without claims (the other drivers),
 * the binaries as they are. With the collect step's lists: packages that collected nothing are
 * left out, the one with the most files takes whatever is not claimed, the others claim theirs.
 */
export function crossBinaries(binaries: readonly string[], claims: ReadonlyMap<string, readonly string[]>): CrossBinarySpec[] {
  const withFiles = binaries.filter((b) => (claims.get(b)?.length ?? 0) > 0);
  if (claims.size === 0 || withFiles.length === 0) return binaries.map((name) => ({ name }));
  const byCount = [...withFiles].sort((a, b) => (claims.get(b)?.length ?? 0) - (claims.get(a)?.length ?? 0));
  const [first, ...rest] = byCount;
  return [
    ...(first === undefined ? [] : [{ name: first }]),
    ...rest.map((name) => ({ name, claims: claims.get(name) ?? [] })),
  ];
}
