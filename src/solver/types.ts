// What the solver answers (docs/solver.md): target source packages with versions, the native
// tools, every dropped relation with its reason, the chain that pulled each node in, and the
// problems found, as values keyed by `reason`.
import type { SourceRecord } from '../model/archive.js';
import type { SourceLocation } from '../model/location.js';
import type { EffectiveRecipe } from '../recipe/recipe.js';

export type Role = 'target' | 'native' | 'dropped';

export type RelationField =
  | 'Build-Depends'
  | 'Build-Depends-Arch'
  | 'Build-Depends-Indep'
  | 'Add-Build-Depends'
  | 'Depends'
  | 'Pre-Depends';

/** Where one alternative group was written. */
export interface RelationOrigin {
  /** The source package whose build (or whose binary's field) holds the relation. */
  readonly source: string;
  readonly field: RelationField;
  /** For Depends/Pre-Depends: the binary package whose field it is. */
  readonly binary?: string;
  /** The group as written, alternatives joined with ` | `. */
  readonly text: string;
  readonly location: SourceLocation;
}

export type DropKind = 'arch' | 'profile' | 'indep' | 'recipe' | 'recipe-unlisted' | 'toolchain' | 'same-source';

export interface DropReason {
  readonly kind: DropKind;
  /** The alternative this reason is about, as written. */
  readonly relation: string;
  /** Words for a maintainer: `[linux-amd64] excludes host architecture musl-linux-amd64`. */
  readonly detail: string;
  /** The recipe or arch file line that decided it, when a file did. */
  readonly location?: SourceLocation;
  /** Set when profiles the solver chose for the source (not the arch's or recipe's) dropped it. */
  readonly chosenProfiles?: readonly string[];
}

/** One relation group a chosen build profile removed, and what it would have done. */
export interface ProfileDrop {
  readonly field: RelationField;
  /** The group as written. */
  readonly text: string;
  readonly role: 'target' | 'native' | 'unsatisfiable' | 'dropped';
  /** For `target`: the source it would have rebuilt. */
  readonly to?: string;
  /** The binary it would have used (target or native). */
  readonly binary?: string;
}

/** A build profile the solver activated for one source (docs/solver.md, "Build profiles"). */
export interface ChosenProfile {
  readonly profile: string;
  /** Why a profile of its kind may be chosen. */
  readonly reason: string;
  /** The relations of the source's build it removed. */
  readonly dropped: readonly ProfileDrop[];
}

/** A binary package picked to satisfy an alternative, and what it was picked over. */
export interface Choice {
  /** The alternative that was satisfied, as written. */
  readonly relation: string;
  readonly binary: string;
  readonly version: string;
  readonly suite: string;
  /** Set when the binary satisfies the relation through `Provides:`. */
  readonly provides?: string;
  /** Set when a user pin on the binary's source ruled newer candidates out: the pinned version. */
  readonly pin?: string;
  /** Other versions of the same binary in the suites (newest first), not chosen. */
  readonly others: readonly { readonly version: string; readonly suite: string }[];
}

export interface SolveEdge {
  readonly from: string;
  readonly origin: RelationOrigin;
  readonly role: Role;
  /** Why this role: `recipe lists it as target`, `Multi-Arch: foreign`, `:native` ... */
  readonly roleReason: string;
  readonly choice?: Choice;
  /** Target edges: the source package rebuilt for the partial arch. */
  readonly to?: string;
  /** Dropped edges: one reason per alternative. */
  readonly drops?: readonly DropReason[];
  /** Profiles that, activated for `from`, would drop this relation (cycle breakers). */
  readonly breakingProfiles?: readonly string[];
  /** Target edges: the group's other alternatives that apply to this build (a recipe could pick one). */
  readonly otherAlternatives?: readonly string[];
}

export interface SolveNode {
  readonly source: string;
  readonly version: string;
  readonly suite: string;
  readonly record: SourceRecord;
  readonly recipe: EffectiveRecipe;
  /** Edges from the root to this node (empty for the root): the chain that pulled it in. */
  readonly why: readonly SolveEdge[];
  /** Target source packages this one needs staged to build (sorted). */
  readonly depends: readonly string[];
  /** Binary packages of this source that dependants need (the `-dev`s to publish). */
  readonly neededBinaries: readonly string[];
  /** Every build profile this source is built with, sorted: the arch's, the recipe's and the chosen ones. */
  readonly profiles: readonly string[];
  /** The profiles the solver chose for this source, each with what it dropped. */
  readonly chosenProfiles: readonly ChosenProfile[];
}

export interface NativeTool {
  readonly binary: string;
  readonly version: string;
  readonly suite: string;
  /** The edges that asked for it. */
  readonly neededBy: readonly SolveEdge[];
}

/** One alternative that could not be used, and why. */
export interface Attempt {
  readonly relation: string;
  readonly outcome: 'no-package' | 'version-mismatch' | 'source-missing' | 'not-for-arch' | 'dropped' | 'pinned-out' | 'uninstallable';
  readonly detail: string;
}

/** Something the archive has under a name the failing relation asked for. */
export interface Offer {
  readonly name: string;
  readonly version: string;
  readonly suite: string;
  /** Set for a provider: the real package that provides `name`. */
  readonly providedBy?: string;
}

export interface CycleStep {
  readonly edge: SolveEdge;
}

export type SolveProblem =
  | { readonly reason: 'unknown-target'; readonly target: string; readonly message: string }
  | {
      readonly reason: 'unsatisfiable';
      readonly origin: RelationOrigin;
      /** Edges from the root to the source holding the relation. */
      readonly chain: readonly SolveEdge[];
      readonly attempts: readonly Attempt[];
      readonly offers: readonly Offer[];
    }
  | {
      readonly reason: 'cycle';
      /** The loop, edge by edge; the last edge leads back to the first edge's source. */
      readonly edges: readonly SolveEdge[];
      /**
       * Edges that could be removed: by a profile (every relation between the two sources carries
       * one), or by another alternative of the relation that a recipe could choose instead.
       */
      readonly breakers: readonly { readonly edge: SolveEdge; readonly profiles: readonly string[]; readonly alternatives: readonly string[] }[];
    }
  | {
      readonly reason: 'invalid-relation';
      readonly origin: RelationOrigin;
      readonly chain: readonly SolveEdge[];
      readonly message: string;
    }
  | {
      readonly reason: 'version-conflict';
      readonly source: string;
      readonly chosen: string;
      readonly origin: RelationOrigin;
      readonly chain: readonly SolveEdge[];
      readonly message: string;
    };

export type SolveWarning =
  | { readonly reason: 'unused-recipe-entry'; readonly source: string; readonly name: string; readonly list: string; readonly location: SourceLocation }
  | { readonly reason: 'unpublished-binary'; readonly source: string; readonly binary: string; readonly location: SourceLocation }
  | { readonly reason: 'invalid-version'; readonly name: string; readonly version: string; readonly suite: string }
  | { readonly reason: 'c-library-missing'; readonly source: string; readonly location: SourceLocation };

export interface Solution {
  /** What was asked for: an application recipe name or a source package name. */
  readonly target: string;
  readonly root: string;
  readonly arch: string;
  /** Target nodes in discovery (breadth-first) order, the root first. */
  readonly nodes: readonly SolveNode[];
  readonly edges: readonly SolveEdge[];
  readonly natives: readonly NativeTool[];
  readonly dropped: readonly SolveEdge[];
  /** The arch's C library source as found in the archive (not rebuilt; embedded in every binary). */
  readonly cLibrary?: { readonly source: string; readonly version: string; readonly suite: string };
  readonly warnings: readonly SolveWarning[];
}

export interface SolveFailure {
  readonly reason: 'unsolvable';
  readonly problems: readonly SolveProblem[];
  /** What could be solved, for showing the chains. */
  readonly partial: Solution;
}
