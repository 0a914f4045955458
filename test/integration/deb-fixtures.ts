// Test helpers shared by the .deb and repository integration tests: a staged musl build of a
// tiny real static library (compiled with musl-gcc), and its -cross packages written to disk.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCrossPackages, type CrossBuild, type CrossPackage } from '../../src/cache/cross-package.js';
import { describeTree } from '../../src/deb/deb-tree.js';
import { writeDeb, type WrittenDeb } from '../../src/deb/deb-writer.js';
import type { CacheKey, Sha256Hex } from '../../src/model/brand.js';
import { describeCrossPackageError, describeDebWriteError, describeTreeError } from '../../src/cli/deb-messages.js';

export const TRIPLET = 'x86_64-linux-musl';
export const ARCH = 'musl-linux-amd64';
export const MAINTAINER = 'Stubforge Builds <builds@stubforge.example.org>';
export const SDE = 1_700_000_000;

/** Compile `lib<name>.a` with musl-gcc and stage it with a header and a .pc file. */
export function stageLibrary(dir: string, name: string): string {
  const staged = join(dir, `staged-${name}`);
  const prefix = join(staged, 'usr', TRIPLET);
  mkdirSync(join(prefix, 'lib/pkgconfig'), { recursive: true });
  mkdirSync(join(prefix, 'include'), { recursive: true });
  const src = join(dir, `${name}.c`);
  writeFileSync(src, `int ${name}_twice(int x) { return x * 2; }\n`);
  execFileSync('musl-gcc', ['-c', '-O2', '-o', join(dir, `${name}.o`), src]);
  execFileSync('ar', ['rcsD', join(prefix, `lib/lib${name}.a`), join(dir, `${name}.o`)]);
  writeFileSync(join(prefix, `include/${name}.h`), `int ${name}_twice(int x);\n`);
  writeFileSync(join(prefix, `lib/pkgconfig/${name}.pc`),
    `prefix=/usr/${TRIPLET}\nlibdir=\${prefix}/lib\nName: ${name}\nDescription: ${name}\nVersion: 1.0\nLibs: -L\${libdir} -l${name}\n`);
  return staged;
}

export const COPYRIGHT = [
  'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/',
  'Upstream-Name: demo',
  '',
  'Files: *',
  'Copyright: 2024 Demo Authors',
  'License: Zlib',
  ' This software is provided as-is, without any express or implied warranty.',
  '',
].join('\n');

export type CrossBuildOverrides = Partial<Omit<CrossBuild, 'staged'>>;

export async function crossPackagesFor(staged: string, source: string, key: string, overrides: CrossBuildOverrides = {}): Promise<CrossPackage[]> {
  const tree = await describeTree(staged);
  if (!tree.ok) throw new Error(describeTreeError(tree.error));
  const built = buildCrossPackages({
    source, sourceVersion: '1.0-1', arch: ARCH, triplet: TRIPLET,
    binaries: [{ name: `lib${source}-dev` }], staged: tree.value, dependencies: [],
    recipeSha256: 'a'.repeat(64) as Sha256Hex, cacheKey: key as CacheKey,
    copyright: COPYRIGHT, maintainer: MAINTAINER, sourceDateEpoch: SDE,
    ...overrides,
  });
  if (!built.ok) throw new Error(describeCrossPackageError(built.error));
  return built.value;
}

export async function writeAll(packages: readonly CrossPackage[], outDir: string): Promise<WrittenDeb[]> {
  mkdirSync(outDir, { recursive: true });
  const out: WrittenDeb[] = [];
  for (const p of packages) {
    const written = await writeDeb(p.layout, join(outDir, p.layout.filename));
    if (!written.ok) throw new Error(describeDebWriteError(written.error));
    out.push(written.value);
  }
  return out;
}
