// What meson's [host_machine] and CMake's CMAKE_SYSTEM_NAME need, read from a GNU triplet.
// `x86_64-linux-musl` is cpu-kernel-abi and `x86_64-rumprun-netbsd` is cpu-vendor-os, so the
// system is found by looking for a known OS word after the cpu rather than by position.
import { ok, err, type Result } from '../model/result.js';
import type { SourceLocation } from '../model/location.js';
import type { DriverError } from './driver.js';

export interface HostMachine {
  /** meson `system`: `linux`, `netbsd`. */
  readonly system: string;
  /** CMake `CMAKE_SYSTEM_NAME`: `Linux`, `NetBSD`. */
  readonly cmakeSystemName: string;
  /** meson `cpu_family` (reference table of meson's docs). */
  readonly cpuFamily: string;
  /** meson `cpu` and CMAKE_SYSTEM_PROCESSOR: the triplet's cpu field. */
  readonly cpu: string;
  readonly endian: 'little' | 'big';
}

const SYSTEMS: readonly { readonly word: RegExp; readonly system: string; readonly cmake: string }[] = [
  { word: /^linux/, system: 'linux', cmake: 'Linux' },
  { word: /^netbsd/, system: 'netbsd', cmake: 'NetBSD' },
  { word: /^freebsd/, system: 'freebsd', cmake: 'FreeBSD' },
  { word: /^gnu$/, system: 'gnu', cmake: 'GNU' },
];

const CPUS: readonly { readonly cpu: RegExp; readonly family: string; readonly endian: 'little' | 'big' }[] = [
  { cpu: /^x86_64$/, family: 'x86_64', endian: 'little' },
  { cpu: /^i[3-6]86$/, family: 'x86', endian: 'little' },
  { cpu: /^aarch64$/, family: 'aarch64', endian: 'little' },
  { cpu: /^aarch64_be$/, family: 'aarch64', endian: 'big' },
  { cpu: /^arm(v\w+)?(hf)?$/, family: 'arm', endian: 'little' },
  { cpu: /^riscv64$/, family: 'riscv64', endian: 'little' },
  { cpu: /^powerpc64le$/, family: 'ppc64', endian: 'little' },
  { cpu: /^powerpc64$/, family: 'ppc64', endian: 'big' },
  { cpu: /^s390x$/, family: 's390x', endian: 'big' },
  { cpu: /^mips64el$/, family: 'mips64', endian: 'little' },
  { cpu: /^mipsel$/, family: 'mips', endian: 'little' },
];

export function hostMachine(triplet: string, location: SourceLocation): Result<HostMachine, DriverError> {
  const [cpu, ...rest] = triplet.split('-');
  if (cpu === undefined || cpu === '' || rest.length === 0) {
    return err({ reason: 'unsupported-triplet', triplet, detail: 'not a GNU triplet (cpu-[vendor-]os)', location });
  }
  const cpuEntry = CPUS.find((c) => c.cpu.test(cpu));
  if (cpuEntry === undefined) {
    return err({ reason: 'unsupported-triplet', triplet, detail: `cpu ${cpu} has no meson cpu_family here`, location });
  }
  for (const part of rest) {
    const sys = SYSTEMS.find((s) => s.word.test(part));
    if (sys !== undefined) {
      return ok({ system: sys.system, cmakeSystemName: sys.cmake, cpuFamily: cpuEntry.family, cpu, endian: cpuEntry.endian });
    }
  }
  return err({ reason: 'unsupported-triplet', triplet, detail: `no known operating system in ${rest.join('-')}`, location });
}
