// Helpers of the bake integration tests: Debian's zlib source from the mirror named in this
// machine's apt configuration (checksums from bookworm's Sources index, then the .dsc), built
// static with musl-gcc and staged the way its -cross package installs it. The version is the
// newest of bookworm that the mirror serves whole, read from the index when a test starts
// (archive-versions.ts), never written down.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAptSources } from '../../src/archive/apt-sources.js';
import { parseDeb822 } from '../../src/control/deb822.js';
import { versionsNewestFirst } from '../../src/archive/served-choice.js';
import type { SourceRecord } from '../../src/model/archive.js';
import { openTestArchive, requireServed } from './archive-versions.js';

/** The same cache as drivers-host.test.ts: downloads survive between runs, re-verified on use. */
export const POOL_CACHE = join(tmpdir(), 'stubforge-test-pool');

export interface PoolSource {
  readonly version: string;
  /** Pool directory, the .dsc's name and its SHA-256 as the Sources index lists it. */
  readonly dir: string;
  readonly dsc: string;
  readonly sha256: string;
}

/**
 * The newest version of `name` in bookworm that the mirror serves whole, as the index lists it; with
 * `orig`, the newest whose .dsc and orig tarball it serves (a test that builds from the orig tarball
 * alone, for a source whose Debian part the mirror lacks).
 */
export async function bookwormSource(name: string, needs: 'whole' | 'orig' = 'whole'): Promise<PoolSource & { readonly files: readonly string[] }> {
  const { archive, probe } = await openTestArchive(['bookworm']);
  let record: SourceRecord | undefined;
  if (needs === 'whole') {
    record = (await requireServed(archive, name, ['bookworm'], probe)).record;
  } else {
    const versions = versionsNewestFirst(archive.index.sources, name, ['bookworm']);
    for (const candidate of versions.ok ? versions.value : []) {
      const missing = await probe(candidate);
      if (missing.ok && missing.value.every((m) => !m.file.endsWith('.dsc') && !/\.orig(-[^.]+)?\.tar\./.test(m.file))) {
        record = candidate;
        break;
      }
    }
    if (record === undefined) throw new Error(`the mirror serves the .dsc and orig tarball of no version of ${name} in bookworm`);
  }
  const dsc = record.files.find((f) => f.name.endsWith('.dsc'));
  if (dsc === undefined) throw new Error(`${name} ${record.version}: no .dsc in the index`);
  return { version: record.version, dir: record.directory, dsc: dsc.name, sha256: dsc.sha256, files: record.files.map((f) => f.name) };
}

export async function mirrorBase(): Promise<string> {
  const sources = await loadAptSources();
  if (!sources.ok) throw new Error(sources.error.message);
  const entry = sources.value.entries.find((e) => e.enabled && e.suites.includes('bookworm'));
  const uri = entry?.uris[0];
  if (uri === undefined) throw new Error('no apt entry for bookworm in /etc/apt');
  return uri.replace(/\/+$/, '');
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A pool file from the mirror into POOL_CACHE, kept only when its SHA-256 is the expected one. */
export async function fetchVerified(mirror: string, dir: string, name: string, expected: string): Promise<string> {
  const path = join(POOL_CACHE, name);
  if (existsSync(path) && sha256(await readFile(path)) === expected) return path;
  const url = `${mirror}/${dir}/${name}`;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${String(response.status)}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (sha256(bytes) !== expected) throw new Error(`${url}: checksum mismatch`);
  await mkdir(POOL_CACHE, { recursive: true });
  await writeFile(path, bytes);
  return path;
}

/** Fetches zlib's .dsc and its files (verified), unpacks it with dpkg-source into `dest`, and says which zlib it was. */
export async function unpackZlib(dest: string): Promise<PoolSource> {
  const ZLIB = await bookwormSource('zlib');
  const mirror = await mirrorBase();
  const dscPath = await fetchVerified(mirror, ZLIB.dir, ZLIB.dsc, ZLIB.sha256);
  const parsed = parseDeb822(await readFile(dscPath, 'utf8'), { file: dscPath, signed: true });
  if (!parsed.ok) throw new Error(parsed.error.message);
  for (const line of parsed.value[0]?.getLines('Checksums-Sha256') ?? []) {
    const [hash = '', , name = ''] = line.split(/\s+/);
    await fetchVerified(mirror, ZLIB.dir, name, hash);
  }
  execFileSync('dpkg-source', ['-x', dscPath, dest], { cwd: POOL_CACHE, stdio: 'pipe' });
  return ZLIB;
}

/** libz.a and its headers for musl, staged under `<stageRoot>/usr/x86_64-linux-musl/`. */
export async function buildMuslZlib(srcDir: string, stageRoot: string): Promise<{ libz: string; include: string }> {
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', CHOST: 'x86_64-linux-musl', CC: 'musl-gcc', AR: 'ar', RANLIB: 'ranlib', CFLAGS: '-O2 -g' };
  execFileSync('./configure', ['--static', '--prefix=/usr/x86_64-linux-musl'], { cwd: srcDir, env, stdio: 'pipe' });
  execFileSync('make', ['-j2', 'libz.a'], { cwd: srcDir, env, stdio: 'pipe' });
  const lib = join(stageRoot, 'usr/x86_64-linux-musl/lib');
  const include = join(stageRoot, 'usr/x86_64-linux-musl/include');
  await mkdir(lib, { recursive: true });
  await mkdir(include, { recursive: true });
  for (const [from, to] of [['libz.a', lib], ['zlib.h', include], ['zconf.h', include]] as const) {
    await writeFile(join(to, from), await readFile(join(srcDir, from)));
  }
  return { libz: join(lib, 'libz.a'), include };
}

/** A small program that really uses zlib: its output proves the linked code ran. */
export const ZLIB_HELLO = `#include <stdio.h>
#include <string.h>
#include <zlib.h>
int main(void) {
  const char *text = "stubforge stubforge stubforge stubforge";
  unsigned char packed[128]; uLongf packedLen = sizeof packed;
  if (compress(packed, &packedLen, (const Bytef *)text, strlen(text)) != Z_OK) return 1;
  printf("zlib %s crc32 %08lx packed %lu\\n", zlibVersion(), crc32(0L, (const Bytef *)text, strlen(text)), (unsigned long)packedLen);
  return 0;
}
`;
/** zlib's own version string (what zlibVersion() prints) in a Debian version: 1:1.2.13.dfsg-1 → 1.2.13. */
export function zlibUpstream(debianVersion: string): string {
  const upstream = debianVersion.replace(/^\d+:/, '').replace(/-[^-]+$/, '');
  // 1.3.dfsg+really1.3.1: the tarball really holds 1.3.1.
  return (/\+really(.+)$/.exec(upstream)?.[1] ?? upstream).replace(/\.dfsg.*$/, '');
}

/** What ZLIB_HELLO prints, linked with the zlib of `debianVersion`. */
export function zlibHelloOutput(debianVersion: string): RegExp {
  return new RegExp(`^zlib ${zlibUpstream(debianVersion).replace(/\./g, '\\.')} crc32 5d26b603 packed \\d+\n$`);
}
