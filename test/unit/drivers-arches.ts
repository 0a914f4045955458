// The two shipped arch files, parsed by src/arch and handed to the drivers the way the arch mapper
// does: tool and flag placeholders of the build image resolved, flags split into arguments,
// kernel header names turned into the build image's directories.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArchFile } from '../../src/arch/arch-file.js';
import type { ArchToolchain, ToolchainTools } from '../../src/drivers/driver.js';

const ROOT = join(import.meta.dirname, '../..');
/** Where the tests pretend the user's rumprun tree is mounted (it is mounted as built). */
export const RUMPRUN_TREE = '/opt/rumprun';
/** `gcc -print-file-name=include` of bookworm's gcc 12. */
export const HOST_GCC_INCLUDE = '/usr/lib/gcc/x86_64-linux-gnu/12/include';

function resolveImage(text: string): string {
  return text.replaceAll('${TOOLCHAIN_ROOT}', RUMPRUN_TREE).replaceAll('${HOST_GCC_INCLUDE}', HOST_GCC_INCLUDE);
}

function words(text: string): string[] {
  return resolveImage(text).split(/\s+/).filter((w) => w !== '');
}

export function archToolchain(name: 'musl-linux-amd64' | 'rumprun-amd64'): ArchToolchain {
  const file = `arch/${name}`;
  const parsed = parseArchFile(readFileSync(join(ROOT, file), 'utf8'), file, name);
  if (!parsed.ok) throw new Error(`${file}: ${JSON.stringify(parsed.error)}`);
  const arch = parsed.value;
  const t = arch.tools;
  const need = (tool: string | undefined, what: string): string => {
    if (tool === undefined) throw new Error(`${file}: no ${what}`);
    return resolveImage(tool);
  };
  const optional = (tool: string | undefined): string | undefined => (tool === undefined ? undefined : resolveImage(tool));
  const tools: ToolchainTools = {
    CC: need(t.CC, 'CC'), CXX: optional(t.CXX), AR: need(t.AR, 'AR'), RANLIB: need(t.RANLIB, 'RANLIB'),
    STRIP: need(t.STRIP, 'STRIP'), NM: need(t.NM, 'NM'), LD: need(t.LD, 'LD'), OBJCOPY: need(t.OBJCOPY, 'OBJCOPY'),
    PKG_CONFIG: optional(t.PKG_CONFIG), CPP: optional(t.CPP), AS: optional(t.AS), OBJDUMP: optional(t.OBJDUMP),
    READELF: optional(t.READELF),
  };
  return {
    name: arch.name, triplet: arch.gnuTriplet, buildTriplet: 'x86_64-linux-gnu', tools,
    cflags: words(arch.flags.cflags), cxxflags: words(arch.flags.cxxflags), cppflags: words(arch.flags.cppflags),
    ldflags: words(arch.flags.ldflags),
    // asm/ is a multiarch directory of the build machine; linux/ and asm-generic/ are not.
    kernelHeaders: arch.kernelHeaders.map((h) => (h === 'asm' ? '/usr/include/x86_64-linux-gnu/asm' : `/usr/include/${h}`)),
    configSubGuessDir: dirname(arch.configSub),
    elf: { machine: arch.elf.machineNumber, class: arch.elf.class === 'ELFCLASS32' ? 32 : 64 },
    origin: arch.location,
  };
}
