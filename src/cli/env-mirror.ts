// Which mirror an environment of a suite uses: the machine's own apt configuration says, the way
// mmdebstrap and sbuild take it. The URIs of the enabled `deb` entry that lists the suite become
// the environment's mirror; the entries listing `<suite>-updates` / `<suite>-security` go into
// the image's apt sources too, so that `env update` brings security fixes in.
import { loadAptSources, type AptEntry } from '../archive/apt-sources.js';
import { err, ok, type Result } from '../model/result.js';
import type { SourceLocation } from '../model/location.js';
import type { AptSource } from '../runtime/env-spec.js';

export interface EnvironmentMirror {
  readonly mirror: string;
  readonly extraSources: readonly AptSource[];
  /** The entry the mirror was taken from. */
  readonly location: SourceLocation;
}

export type MirrorError =
  | { readonly reason: 'no-mirror'; readonly suite: string; readonly files: readonly string[]; readonly location: SourceLocation }
  | { readonly reason: 'bad-config'; readonly message: string; readonly location: SourceLocation };

const COMPANION_SUFFIXES = ['-updates', '-security'];

function keyringOf(entry: AptEntry): string | undefined {
  return entry.signedBy?.kind === 'keyrings' ? entry.signedBy.paths.join(' ') : undefined;
}

/** Picks the mirror of `suite` from parsed apt entries. Pure. */
export function environmentMirror(suite: string, entries: readonly AptEntry[], files: readonly string[]): Result<EnvironmentMirror, MirrorError> {
  const usable = entries.filter((e) => e.enabled && e.types.includes('deb'));
  const main = usable.find((e) => e.suites.includes(suite));
  const mirror = main?.uris[0];
  if (main === undefined || mirror === undefined) {
    return err({ reason: 'no-mirror', suite, files, location: { file: files[0] ?? '/etc/apt/sources.list' } });
  }
  const extraSources: AptSource[] = [];
  for (const suffix of COMPANION_SUFFIXES) {
    const companion = `${suite}${suffix}`;
    const entry = usable.find((e) => e.suites.includes(companion));
    if (entry === undefined) continue;
    const signedBy = keyringOf(entry);
    extraSources.push({
      uris: entry.uris, suites: [companion], components: entry.components.filter((c) => c === 'main'),
      ...(signedBy === undefined ? {} : { signedBy }),
    });
  }
  return ok({ mirror, extraSources: extraSources.filter((s) => s.components.length > 0), location: main.location });
}

/** Reads the machine's apt configuration and picks the mirror of `suite`. */
export async function loadEnvironmentMirror(suite: string, aptDir = '/etc/apt'): Promise<Result<EnvironmentMirror, MirrorError>> {
  const loaded = await loadAptSources(aptDir);
  if (!loaded.ok) return err({ reason: 'bad-config', message: loaded.error.message, location: loaded.error.location });
  return environmentMirror(suite, loaded.value.entries, loaded.value.files);
}
