// Which suites stubforge reads and from where: each suite's base URL comes from the apt entry that
// lists it, a suite no entry lists borrows the URL of the entry listing the fallback suite
// (bookworm), and the user may override the mirror. Pure.
import type { SuiteRef } from '../model/archive.js';
import type { SourceLocation } from '../model/location.js';
import { err, ok, type Result } from '../model/result.js';
import type { AptEntry, SignedBy } from './apt-sources.js';
import type { BadConfigError } from './errors.js';

export const DEFAULT_SUITES: readonly string[] = ['bookworm', 'bookworm-updates', 'bookworm-security'];
export const DEFAULT_COMPONENTS: readonly string[] = ['main'];
export const DEFAULT_FALLBACK_SUITE = 'bookworm';

export interface SuiteSelection {
  readonly suites?: readonly string[];
  readonly components?: readonly string[];
  /** `--mirror`: the base URL for every suite (the apt configuration is then not consulted). */
  readonly mirror?: string;
  /** Per-suite base URLs, e.g. a security mirror beside `mirror`. Wins over everything else. */
  readonly suiteMirrors?: Readonly<Record<string, string>>;
  /** The suite whose entry serves suites that no entry lists. */
  readonly fallbackSuite?: string;
}

/** A suite to read, where it came from, and who may sign it. */
export interface ConfiguredSuite extends SuiteRef {
  /** The apt entry that gave the URL, or undefined when the user gave it. */
  readonly origin?: SourceLocation;
  readonly signedBy?: SignedBy;
  /** The entry says `Check-Valid-Until: no` (apt's own switch, set for snapshot mirrors). */
  readonly allowExpired?: boolean;
}

/** Normalise a base URL: http(s) only (fetch is the transport), no trailing slash. */
export function normaliseMirror(url: string, where: SourceLocation): Result<string, BadConfigError> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return err({ reason: 'bad-config', message: `not a URL: "${url}"`, location: where });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return err({ reason: 'bad-config', message: `unsupported URI scheme "${parsed.protocol}" in "${url}" (http or https)`, location: where });
  }
  return ok(url.replace(/\/+$/, ''));
}

function entryFor(entries: readonly AptEntry[], suite: string): AptEntry | undefined {
  return entries.find((e) => e.enabled && e.suites.includes(suite));
}

/** One ConfiguredSuite per requested suite × component, in request order. */
export function resolveSuites(
  entries: readonly AptEntry[],
  selection: SuiteSelection,
  /** Files the entries came from, named when no entry fits. */
  configFiles: readonly string[] = [],
): Result<ConfiguredSuite[], BadConfigError> {
  const suites = selection.suites ?? DEFAULT_SUITES;
  const components = selection.components ?? DEFAULT_COMPONENTS;
  const fallbackSuite = selection.fallbackSuite ?? DEFAULT_FALLBACK_SUITE;
  const userGiven: SourceLocation = { file: '(command line)' };
  const resolved: ConfiguredSuite[] = [];
  for (const suite of suites) {
    let base: { url: string; origin?: SourceLocation; signedBy?: SignedBy; allowExpired?: boolean };
    const explicit = selection.suiteMirrors?.[suite] ?? selection.mirror;
    if (explicit !== undefined) {
      base = { url: explicit };
    } else {
      const entry = entryFor(entries, suite) ?? entryFor(entries, fallbackSuite);
      if (entry === undefined) {
        return err({
          reason: 'bad-config',
          message: `no enabled apt entry lists suite "${suite}" or "${fallbackSuite}"; give --mirror`,
          location: { file: configFiles.length === 0 ? '(no apt sources found)' : configFiles.join(', ') },
        });
      }
      // Several URIs in one entry are mirrors of each other (apt tries them in turn); the first is used.
      base = {
        url: entry.uris[0] ?? '', origin: entry.location,
        ...(entry.signedBy === undefined ? {} : { signedBy: entry.signedBy }),
        // apt: Check-Date=no also turns Check-Valid-Until off (sources.list(5)).
        ...(['check-valid-until', 'check-date'].some((o) => entry.options[o]?.trim().toLowerCase() === 'no') ? { allowExpired: true } : {}),
      };
    }
    const mirror = normaliseMirror(base.url, base.origin ?? userGiven);
    if (!mirror.ok) return mirror;
    for (const component of components) {
      resolved.push({
        suite, component, mirror: mirror.value,
        ...(base.origin === undefined ? {} : { origin: base.origin }),
        ...(base.signedBy === undefined ? {} : { signedBy: base.signedBy }),
        ...(base.allowExpired === true ? { allowExpired: true } : {}),
      });
    }
  }
  return ok(resolved);
}
