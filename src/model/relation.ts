// Dependency relations (Debian Policy §7.1, §7.7) as values. The parser lives in control/relation;
// these types are shared by the solver, the plan and the .deb writer.
import type { SourceLocation } from './location.js';

export type VersionOperator = '<<' | '<=' | '=' | '>=' | '>>';

export interface VersionConstraint {
  readonly op: VersionOperator;
  readonly version: string;
}

/** One architecture in `[...]`: `linux-any`, `!hurd-i386`. A list is all-negated or all-positive. */
export interface ArchTerm {
  readonly negated: boolean;
  readonly arch: string;
}

/** One profile term inside `<...>`: `!nocheck`, `cross`. */
export interface ProfileTerm {
  readonly negated: boolean;
  readonly profile: string;
}

/** A single package relation: `foo:any (>= 1.2) [linux-any] <!nocheck> <cross>`. */
export interface Relation {
  readonly name: string;
  /** `any`, `native`, or an architecture name after the colon. */
  readonly archQualifier?: string;
  readonly version?: VersionConstraint;
  /** Architecture restriction list, when present. */
  readonly archs?: readonly ArchTerm[];
  /**
   * Build-profile formula: a disjunction (the list of `<...>` groups) of conjunctions (the terms
   * inside one group). Absent when there is none.
   */
  readonly profiles?: readonly (readonly ProfileTerm[])[];
  /** The relation as written (whitespace normalised), for messages and `why`. */
  readonly text: string;
}

/** `a | b | c`: satisfied by the first alternative that can be satisfied. */
export type AlternativeGroup = readonly Relation[];

/** A whole field: comma-separated groups, all of which must hold. */
export type RelationList = readonly AlternativeGroup[];

export interface RelationError {
  readonly reason: 'invalid-relation';
  readonly message: string;
  /** The field text that failed and where it came from. */
  readonly text: string;
  readonly location: SourceLocation;
  /** 0-based offset of the problem inside `text`. */
  readonly offset: number;
}
