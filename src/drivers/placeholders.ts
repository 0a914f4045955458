// `${NAME}` placeholders in recipe values (configure/meson/cmake/make options, cache variables,
// environment) and in the arch's flags, filled in by the driver: only the driver knows the staged
// closure, the prefix and the job count of one build. Recipe steps are shell and see the same
// values as environment variables instead (docs/build-drivers.md).
import { ok, err, type Result } from '../model/result.js';
import type { SourceLocation } from '../model/location.js';
import type { DriverError } from './driver.js';

const PLACEHOLDER = /\$\{([^}]*)\}/g;

/** Replaces every `${NAME}` in `text`; a name without a value is an error, never left in place. */
export function fillPlaceholders(text: string, values: ReadonlyMap<string, string>, location: SourceLocation): Result<string, DriverError> {
  let missing: string | undefined;
  const filled = text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values.get(name);
    if (value === undefined) {
      missing ??= name;
      return whole;
    }
    return value;
  });
  if (missing !== undefined) {
    return err({ reason: 'unknown-placeholder', name: missing, text, known: [...values.keys()].sort(), location });
  }
  return ok(filled);
}

export function fillAll(texts: readonly string[], values: ReadonlyMap<string, string>, location: SourceLocation): Result<string[], DriverError> {
  const out: string[] = [];
  for (const text of texts) {
    const filled = fillPlaceholders(text, values, location);
    if (!filled.ok) return filled;
    out.push(filled.value);
  }
  return ok(out);
}

export function fillRecord(record: Readonly<Record<string, string>>, values: ReadonlyMap<string, string>, location: SourceLocation): Result<Record<string, string>, DriverError> {
  const out: Record<string, string> = {};
  for (const [name, text] of Object.entries(record)) {
    const filled = fillPlaceholders(text, values, location);
    if (!filled.ok) return filled;
    out[name] = filled.value;
  }
  return ok(out);
}
