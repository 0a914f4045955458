// Helpers of the bake integration tests: Debian's zlib source from the mirror named in this
// machine's apt configuration (checksums from bookworm's Sources index, then the .dsc), built
// static with musl-gcc and staged the way its -cross package installs it.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAptSources } from '../../src/archive/apt-sources.js';
import { parseDeb822 } from '../../src/control/deb822.js';

/** The same cache as drivers-host.test.ts: downloads survive between runs, re-verified on use. */
export const POOL_CACHE = join(tmpdir(), 'stubforge-test-pool');

/** bookworm's zlib, SHA-256 of the .dsc as the Sources index lists it. */
export const ZLIB = {
  version: '1:1.2.13.dfsg-1',
  dir: 'pool/main/z/zlib',
  dsc: 'zlib_1.2.13.dfsg-1.dsc',
  sha256: '3fa1e6b2fc525062aa88207dda52fed8e045373c809d362fe8a2bfbf7cf515a8',
} as const;

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

/** Fetches zlib's .dsc and its files (verified) and unpacks it with dpkg-source into `dest`. */
export async function unpackZlib(dest: string): Promise<void> {
  const mirror = await mirrorBase();
  const dscPath = await fetchVerified(mirror, ZLIB.dir, ZLIB.dsc, ZLIB.sha256);
  const parsed = parseDeb822(await readFile(dscPath, 'utf8'), { file: dscPath, signed: true });
  if (!parsed.ok) throw new Error(parsed.error.message);
  for (const line of parsed.value[0]?.getLines('Checksums-Sha256') ?? []) {
    const [hash = '', , name = ''] = line.split(/\s+/);
    await fetchVerified(mirror, ZLIB.dir, name, hash);
  }
  execFileSync('dpkg-source', ['-x', dscPath, dest], { cwd: POOL_CACHE, stdio: 'pipe' });
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
export const ZLIB_HELLO_OUTPUT = 'zlib 1.2.13 crc32 5d26b603 packed 21\n';
