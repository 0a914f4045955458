// stubforge's library API: the Debian metadata core that other Debian tools can use on its own
// (docs/library-api.md), and the archive facade.
export * from './version/index.js';
export { parseRelations, formatRelation, formatAlternatives, formatRelationList } from './control/relation.js';
export {
  reduceRelations, reduceRelationsExplained, profilesSatisfied,
  type ReduceContext, type DroppedRelation, type ReducedRelations,
} from './control/relation-eval.js';
export { parseDeb822, Paragraph, type Deb822Field, type Deb822Options, type ControlError } from './control/deb822.js';
export {
  parseArchTables, type ArchTable, type ArchTableError, type ArchTableExtra, type ArchTableTexts, type DebTuple,
} from './arch/dpkg-arch.js';
export { loadArchTables, DPKG_DATADIR } from './arch/dpkg-tables-loader.js';
export { openArchive, type Archive, type ArchiveOptions } from './archive/archive.js';
export type { ArchiveError } from './archive/errors.js';
export type * from './model/relation.js';
export type * from './model/archive.js';
export type { Result, Ok, Err } from './model/result.js';
export type { SourceLocation } from './model/location.js';
