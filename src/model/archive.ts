// The compact, pre-parsed form of the archive indices: what the solver and planner read.
// Relation fields stay as text here (parsed on demand by control/relation) so a warm load is a
// plain deserialisation; every record knows the suite it came from.

/** One suite/component of a mirror, e.g. bookworm-security/main. */
export interface SuiteRef {
  /** Label used in messages and caches: `bookworm`, `bookworm-security`, ... */
  readonly suite: string;
  readonly component: string;
  /** Base URL of the mirror (the directory holding `dists/` and `pool/`). */
  readonly mirror: string;
}

export interface FileChecksum {
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
}

/** A paragraph of a `Sources` index, reduced to what stubforge uses. */
export interface SourceRecord {
  readonly package: string;
  readonly version: string;
  readonly suite: string;
  readonly component: string;
  /** Binary package names built from it. */
  readonly binaries: readonly string[];
  /** `Architecture:` words (any, all, linux-any ...). */
  readonly architecture: readonly string[];
  readonly format: string;
  /** Pool directory relative to the mirror base. */
  readonly directory: string;
  /** `.dsc` and the files it names, with SHA-256 from the index. */
  readonly files: readonly FileChecksum[];
  readonly buildDepends?: string;
  readonly buildDependsArch?: string;
  readonly buildDependsIndep?: string;
  readonly buildConflicts?: string;
  readonly buildConflictsArch?: string;
  readonly buildConflictsIndep?: string;
  /**
   * The binaries of `Package-List` built only under a build-profile formula, one per line:
   * `<binary> <formula>` in Package-List's syntax (`python3-libxml2 !nopython`; `,` joins the
   * terms of one `<...>` group, `+` separates groups). Absent when no binary has one.
   */
  readonly binaryProfiles?: string;
  readonly extraSourceOnly?: boolean;
}

/** A paragraph of a `Packages` index, reduced to what stubforge uses. */
export interface BinaryRecord {
  readonly package: string;
  readonly version: string;
  readonly suite: string;
  readonly architecture: string;
  /** Source package name (the `Source:` field, or the package name when absent). */
  readonly source: string;
  /** Source version when it differs from `version` (binNMUs, `Source: x (v)`). */
  readonly sourceVersion: string;
  readonly multiArch?: 'same' | 'foreign' | 'allowed' | 'no';
  readonly depends?: string;
  readonly preDepends?: string;
  readonly provides?: string;
  readonly essential?: boolean;
  readonly filename?: string;
}

/** All indices of the configured suites, as one value. */
export interface ArchiveIndex {
  readonly suites: readonly SuiteRef[];
  readonly sources: readonly SourceRecord[];
  readonly binaries: readonly BinaryRecord[];
}
