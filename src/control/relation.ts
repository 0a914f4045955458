// Relation fields (Debian Policy §7.1, §7.7): `Depends`, `Build-Depends`, ... parsed into the
// shared model types, and printed back the way dpkg prints them.
//
// Empty entries: a single trailing comma is accepted (Dpkg::Deps, which reads Build-Depends,
// accepts it, and `wrap-and-sort -t` writes it); an empty entry anywhere else (`a,,b`, `,a`,
// `a | | b`, `a |`) is an error. Dpkg::Deps silently skips those too, but dpkg's C parser (binary
// package fields) rejects them, and a silently skipped entry is exactly what stubforge must not do.
import type { SourceLocation } from '../model/location.js';
import type { AlternativeGroup, Relation, RelationError, RelationList } from '../model/relation.js';
import { err, ok, type Result } from '../model/result.js';
import { RelationScanner, RelationSyntaxError, renderRelation } from './relation-scanner.js';

/**
 * Parse a whole relation field. `text` is the field value as read (continuation lines and their
 * `\n`s may stay in); `location` is where the field starts (its line), used for the error.
 */
export function parseRelations(text: string, location: SourceLocation): Result<RelationList, RelationError> {
  const scanner = new RelationScanner(text);
  try {
    return ok(scanField(scanner));
  } catch (e: unknown) {
    if (!(e instanceof RelationSyntaxError)) throw e;
    return err({
      reason: 'invalid-relation',
      message: e.message,
      text,
      location: locationAt(location, text, e.offset),
      offset: e.offset,
    });
  }
}

function scanField(s: RelationScanner): RelationList {
  const groups: AlternativeGroup[] = [];
  s.skipWhitespace();
  if (s.atEnd()) return groups;
  for (;;) {
    if (s.peek() === ',') {
      const what = groups.length === 0 ? 'before the first comma' : 'between two commas';
      throw new RelationSyntaxError(`empty relation ${what}`, s.pos);
    }
    groups.push(scanGroup(s));
    // scanGroup stops at the end or on a comma.
    if (s.atEnd()) return groups;
    s.pos++; // ','
    s.skipWhitespace();
    if (s.atEnd()) return groups; // one trailing comma
  }
}

function scanGroup(s: RelationScanner): AlternativeGroup {
  const alternatives: Relation[] = [];
  for (;;) {
    if (s.peek() === '|' || s.peek() === ',' || s.atEnd()) {
      const where = alternatives.length === 0 ? 'before' : 'after';
      throw new RelationSyntaxError(`empty alternative ${where} '|'`, s.pos);
    }
    const relation = s.relation();
    alternatives.push(relation);
    s.skipWhitespace();
    if (s.atEnd() || s.peek() === ',') return alternatives;
    if (s.peek() !== '|') {
      const c = s.peek() === '\n' ? 'end of line' : `'${s.peek()}'`;
      throw new RelationSyntaxError(`unexpected ${c} after '${relation.text}' (expected ',' or '|')`, s.pos);
    }
    s.pos++; // '|'
    s.skipWhitespace();
  }
}

/**
 * Narrow the field's location to the line holding `offset`: each `\n` in a field value is one
 * continuation line of the control file. The column is kept only on the field's first line, where
 * it is still exact.
 */
function locationAt(location: SourceLocation, text: string, offset: number): SourceLocation {
  let newlines = 0;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charAt(i) === '\n') newlines++;
  if (newlines === 0) {
    return location.column === undefined ? location : { ...location, column: location.column + offset };
  }
  return location.line === undefined ? { file: location.file } : { file: location.file, line: location.line + newlines };
}

/** One relation as dpkg prints it: `foo:any (>= 1.2) [linux-any] <!nocheck> <cross>`. */
export function formatRelation(r: Relation): string {
  return renderRelation(r);
}

/** A group: alternatives joined by ` | `. */
export function formatAlternatives(group: AlternativeGroup): string {
  return group.map(formatRelation).join(' | ');
}

/** A whole field on one line, groups joined by `, ` (dpkg's `Dpkg::Deps::AND::output`). */
export function formatRelationList(list: RelationList): string {
  return list.map(formatAlternatives).join(', ');
}
