// The questions asked of dpkg's architecture tables, as a type: control/ reduces relations for a
// host arch and needs only these; arch/dpkg-arch.ts builds the tables that answer them.
import type { ArchTerm } from './relation.js';

/** dpkg's "debtuple": abi-libc-os-cpu, e.g. base-musl-linux-amd64. */
export interface DebTuple {
  readonly abi: string;
  readonly libc: string;
  readonly os: string;
  readonly cpu: string;
}

export interface ArchTable {
  /** `debarch_to_debtuple`: undefined for an unknown arch (and for wildcards). */
  tupleOf(arch: string): DebTuple | undefined;
  /** `debarch_is_wildcard`: `any`, `linux-any`, `any-amd64`, `musl-linux-any` ... (not `all`). */
  isWildcard(arch: string): boolean;
  /** `debarch_is`: does the real arch match the arch or wildcard `alias`? */
  archIs(real: string, alias: string): boolean;
  /** `debarch_is_concerned`: does a `[...]` list of a relation include the host arch? */
  archIsConcerned(host: string, terms: readonly ArchTerm[]): boolean;
  /** `debarch_to_gnutriplet`: amd64 → x86_64-linux-gnu. */
  gnuTriplet(arch: string): string | undefined;
  /** `gnutriplet_to_debarch`: x86_64-linux-musl → musl-linux-amd64. */
  archFromGnuTriplet(triplet: string): string | undefined;
  /** `debarch_to_multiarch`: i386 → i386-linux-gnu (the directory name under /usr/lib). */
  multiarchTriplet(arch: string): string | undefined;
  /** `debarch_to_cpubits`. */
  cpuBits(arch: string): number | undefined;
  /** `get_valid_arches`: every arch the tables name, in dpkg's order. */
  knownArches(): readonly string[];
}
