// dpkg's architecture model (Dpkg::Arch, /usr/share/perl5/Dpkg/Arch.pm) over dpkg's own tables
// (`cputable`, `ostable`, `tupletable`), given as text: the loader reads the files, this module
// never does. Every function mirrors the Perl one named in its comment, quirks included (the
// `linux-` prefix accepted before an arch, the first matching table line winning, `any` matching
// even `all`), because what counts is what dpkg-architecture and dpkg-checkbuilddeps answer.
//
// Partial architectures dpkg does not know are taught by *prepending* table lines (`extra`), the
// way a private DPKG_DATADIR copy of the tables does: for rumprun,
//   ostable:    base-rumprun-netbsd  rumprun-netbsd  rumprun-netbsd[^-]*
//   tupletable: base-rumprun-netbsd-<cpu>  rumprun-<cpu>
// With those lines dpkg itself answers: rumprun-amd64 is x86_64-rumprun-netbsd, its tuple is
// base-rumprun-netbsd-amd64, so it *does* match `netbsd-any`, `any-amd64`, `rumprun-netbsd-any`
// and `any`, and does *not* match `linux-any` or `rumprun-any` (the os part of the tuple is
// `netbsd`; `rumprun` is the libc part).
import type { SourceLocation } from '../model/location.js';
import type { ArchTable, DebTuple } from '../model/arch-table.js';
import type { ArchTerm } from '../model/relation.js';
import { err, ok, type Result } from '../model/result.js';
import { parseTableLines } from './dpkg-table-lines.js';

export type { ArchTable, DebTuple } from '../model/arch-table.js';
import { describeError } from '../io/describe-error.js';

export interface ArchTableError {
  readonly reason: 'invalid-arch-table' | 'unreadable-arch-table';
  readonly message: string;
  readonly location: SourceLocation;
}

/** The text of the three tables. */
export interface ArchTableTexts {
  readonly cputable: string;
  readonly ostable: string;
  readonly tupletable: string;
}

/** Lines put *before* the stock ones (so they win where dpkg takes the first match). */
export interface ArchTableExtra {
  readonly ostable?: string;
  readonly tupletable?: string;
}

/** Names of the tables in diagnostics (paths, when they were read from files). */
export interface ArchTableNames {
  readonly cputable?: string;
  readonly ostable?: string;
  readonly tupletable?: string;
  readonly extraOstable?: string;
  readonly extraTupletable?: string;
}


interface CpuEntry {
  readonly gnu: string;
  readonly re: RegExp;
  readonly bits: number;
  readonly endian: 'little' | 'big';
}

interface OsEntry {
  readonly gnu: string;
  readonly re: RegExp;
}

function splitLimit(s: string, limit: number): string[] {
  const parts = s.split('-');
  if (parts.length <= limit) return parts;
  return [...parts.slice(0, limit - 1), parts.slice(limit - 1).join('-')];
}

function tupleFromParts(parts: readonly string[]): DebTuple | undefined {
  const [abi, libc, os, cpu] = parts;
  if (abi === undefined || libc === undefined || os === undefined || cpu === undefined) return undefined;
  return { abi, libc, os, cpu };
}

class DpkgArchTable implements ArchTable {
  constructor(
    /** cputable names in table order (`@cpu`), with their attributes (`%cputable` ...). */
    private readonly cpuOrder: readonly string[],
    private readonly cpus: ReadonlyMap<string, CpuEntry>,
    /** ostable names in table order (`@os`). */
    private readonly osOrder: readonly string[],
    private readonly oses: ReadonlyMap<string, OsEntry>,
    private readonly archToTuple: ReadonlyMap<string, string>,
    private readonly tupleToArch: ReadonlyMap<string, string>,
  ) {}

  tupleOf(arch: string): DebTuple | undefined {
    // Arch.pm: "XXX: Might disappear in the future" — `linux-amd64` is read as `amd64`.
    const linux = /^linux-([^-]*)/.exec(arch);
    const key = linux?.[1] ?? arch;
    const tuple = this.archToTuple.get(key);
    return tuple === undefined ? undefined : tupleFromParts(splitLimit(tuple, 4));
  }

  /** `debwildcard_to_debtuple`: a wildcard's missing leading parts are `any`. */
  private wildcardTuple(arch: string): DebTuple | undefined {
    const parts = splitLimit(arch, 4);
    if (!parts.includes('any')) return this.tupleOf(arch);
    const padding = ['any', 'any', 'any', 'any'].slice(0, parts.length === 1 ? 4 : 4 - parts.length);
    return tupleFromParts(parts.length === 1 ? padding : [...padding, ...parts]);
  }

  isWildcard(arch: string): boolean {
    if (arch === 'all') return false;
    const t = this.wildcardTuple(arch);
    return t !== undefined && [t.abi, t.libc, t.os, t.cpu].includes('any');
  }

  archIs(real: string, alias: string): boolean {
    if (alias === real || alias === 'any') return true;
    const r = this.tupleOf(real);
    const a = this.wildcardTuple(alias);
    if (r === undefined || a === undefined) return false;
    const part = (x: string, y: string): boolean => x === y || x === 'any';
    return part(a.abi, r.abi) && part(a.libc, r.libc) && part(a.os, r.os) && part(a.cpu, r.cpu);
  }

  archIsConcerned(host: string, terms: readonly ArchTerm[]): boolean {
    let seen = false;
    for (const term of terms) {
      const arch = term.arch.toLowerCase();
      if (term.negated) {
        if (this.archIs(host, arch)) return false;
        // `!arch` includes every other arch unless another `!arch` excludes it.
        seen = true;
      } else if (this.archIs(host, arch)) {
        return true;
      }
    }
    return seen;
  }

  gnuTriplet(arch: string): string | undefined {
    const t = this.tupleOf(arch);
    if (t === undefined) return undefined;
    const cpu = this.cpus.get(t.cpu);
    const os = this.oses.get(`${t.abi}-${t.libc}-${t.os}`);
    return cpu === undefined || os === undefined ? undefined : `${cpu.gnu}-${os.gnu}`;
  }

  archFromGnuTriplet(triplet: string): string | undefined {
    const dash = triplet.indexOf('-');
    if (dash < 0) return undefined;
    const gnuCpu = triplet.slice(0, dash);
    const gnuOs = triplet.slice(dash + 1);
    // First match in table order wins, as in `gnutriplet_to_debtuple`.
    const cpu = this.cpuOrder.find((name) => this.cpus.get(name)?.re.test(gnuCpu) === true);
    const os = this.osOrder.find((name) => this.oses.get(name)?.re.test(gnuOs) === true);
    if (cpu === undefined || os === undefined) return undefined;
    return this.tupleToArch.get(`${os}-${cpu}`);
  }

  multiarchTriplet(arch: string): string | undefined {
    const gnu = this.gnuTriplet(arch);
    if (gnu === undefined) return undefined;
    const dash = gnu.indexOf('-');
    return /^i[4567]86$/.test(gnu.slice(0, dash)) ? `i386${gnu.slice(dash)}` : gnu;
  }

  cpuBits(arch: string): number | undefined {
    const t = this.tupleOf(arch);
    return t === undefined ? undefined : this.cpus.get(t.cpu)?.bits;
  }

  knownArches(): readonly string[] {
    const arches = new Set<string>();
    for (const os of this.osOrder) {
      for (const cpu of this.cpuOrder) {
        const arch = this.tupleToArch.get(`${os}-${cpu}`);
        if (arch !== undefined) arches.add(arch);
      }
    }
    return [...arches];
  }
}

function compile(source: string, anchored: (re: string) => string, where: SourceLocation): Result<RegExp, ArchTableError> {
  try {
    return ok(new RegExp(anchored(source)));
  } catch (e: unknown) {
    const detail = describeError(e);
    return err({ reason: 'invalid-arch-table', message: `invalid regular expression '${source}': ${detail}`, location: where });
  }
}

/**
 * Build the architecture model from the table texts. `extra` lines come first, as in a private
 * DPKG_DATADIR copy with lines added at the top. Comment and blank lines are skipped; any other
 * line that is not a table row is an error naming its line.
 */
export function parseArchTables(
  tables: ArchTableTexts,
  extra: ArchTableExtra = {},
  names: ArchTableNames = {},
): Result<ArchTable, ArchTableError> {
  const cpuRows = parseTableLines([{ text: tables.cputable, file: names.cputable ?? 'cputable' }], 5);
  if (!cpuRows.ok) return cpuRows;
  const cpuOrder: string[] = [];
  const cpus = new Map<string, CpuEntry>();
  for (const { fields: [name, gnu, re, bits, endian], location } of cpuRows.value) {
    if (name.includes('-')) return err(invalid(`cpu name '${name}' contains '-'`, location));
    if (!/^[0-9]+$/.test(bits)) return err(invalid(`cpu bits '${bits}' is not a number`, location));
    if (endian !== 'little' && endian !== 'big') return err(invalid(`cpu endianness '${endian}' is not little or big`, location));
    // Interpolated unbracketed, as in Arch.pm's /^$cputable_re{$_cpu}$/.
    const compiled = compile(re, (r) => `^${r}$`, location);
    if (!compiled.ok) return compiled;
    cpus.set(name, { gnu, re: compiled.value, bits: Number(bits), endian });
    cpuOrder.push(name);
  }

  const osRows = parseTableLines([
    { text: extra.ostable ?? '', file: names.extraOstable ?? 'ostable (extra lines)' },
    { text: tables.ostable, file: names.ostable ?? 'ostable' },
  ], 3);
  if (!osRows.ok) return osRows;
  const osOrder: string[] = [];
  const oses = new Map<string, OsEntry>();
  for (const { fields: [name, gnu, re], location } of osRows.value) {
    if (name.split('-').length !== 3) return err(invalid(`os name '${name}' is not abi-libc-os`, location));
    // `gnutriplet_to_debtuple` lets a vendor part precede the os: x86_64-pc-linux-gnu.
    const compiled = compile(re, (r) => `^(.*-)?${r}$`, location);
    if (!compiled.ok) return compiled;
    oses.set(name, { gnu, re: compiled.value });
    osOrder.push(name);
  }

  const tupleRows = parseTableLines([
    { text: extra.tupletable ?? '', file: names.extraTupletable ?? 'tupletable (extra lines)' },
    { text: tables.tupletable, file: names.tupletable ?? 'tupletable' },
  ], 2);
  if (!tupleRows.ok) return tupleRows;
  const archToTuple = new Map<string, string>();
  const tupleToArch = new Map<string, string>();
  for (const { fields: [tuple, arch], location } of tupleRows.value) {
    if (tuple.split('-').length < 4) return err(invalid(`tuple '${tuple}' is not abi-libc-os-cpu`, location));
    if (!tuple.includes('<cpu>')) {
      // A literal row overwrites, as the Perl hash assignment does.
      archToTuple.set(arch, tuple);
      tupleToArch.set(tuple, arch);
      continue;
    }
    // A `<cpu>` row expands over cputable, but never replaces an earlier mapping of either side.
    for (const cpu of cpuOrder) {
      const t = tuple.replace('<cpu>', cpu);
      const a = arch.replace('<cpu>', cpu);
      if (archToTuple.has(a) || tupleToArch.has(t)) continue;
      archToTuple.set(a, t);
      tupleToArch.set(t, a);
    }
  }
  return ok(new DpkgArchTable(cpuOrder, cpus, osOrder, oses, archToTuple, tupleToArch));
}

function invalid(message: string, location: SourceLocation): ArchTableError {
  return { reason: 'invalid-arch-table', message, location };
}
