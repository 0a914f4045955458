// The two shipped arch files, parsed by src/arch and mapped onto the drivers' toolchain by the
// executor's own mapping (src/executor/builders/toolchain-mapping.ts), with the build image's facts of
// bookworm on amd64 and a rumprun tree as the tests pretend it is mounted.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArchFile } from '../../src/arch/arch-file.js';
import type { ArchToolchain } from '../../src/drivers/driver.js';
import { archToolchain as mapArchToolchain } from '../../src/executor/builders/toolchain-mapping.js';

const ROOT = join(import.meta.dirname, '../..');
/** Where the tests pretend the user's rumprun tree is mounted (it is mounted as built). */
export const RUMPRUN_TREE = '/opt/rumprun';
/** `gcc -print-file-name=include` of bookworm's gcc 12. */
export const HOST_GCC_INCLUDE = '/usr/lib/gcc/x86_64-linux-gnu/12/include';

export function archToolchain(name: 'musl-linux-amd64' | 'rumprun-amd64'): ArchToolchain {
  const file = `arch/${name}`;
  const parsed = parseArchFile(readFileSync(join(ROOT, file), 'utf8'), file, name);
  if (!parsed.ok) throw new Error(`${file}: ${JSON.stringify(parsed.error)}`);
  const mapped = mapArchToolchain(parsed.value, {
    buildTriplet: 'x86_64-linux-gnu', buildMultiarch: 'x86_64-linux-gnu',
    hostGccInclude: HOST_GCC_INCLUDE, toolchainRoot: RUMPRUN_TREE,
  });
  if (!mapped.ok) throw new Error(`${file}: ${JSON.stringify(mapped.error)}`);
  return mapped.value;
}
