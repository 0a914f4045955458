// `rumprun-bake list` (pure over its output) and the check of a bake config against it. The script
// prints each public config as `printf '%-16s: %s\n' name description`; with stderr merged in, its
// "experimental" notice (`!!!` lines) comes along and is recognised as such.
import type { SourceLocation } from '../../model/location.js';
import { err, ok, type Result } from '../../model/result.js';
import type { BakeError } from './backend.js';
import type { RumprunPlatform } from './rumprun-tree.js';

export interface BakeConfigListing {
  readonly config: string;
  readonly description: string;
}

export interface ListingError {
  readonly reason: 'unreadable-listing';
  readonly text: string;
  readonly location: SourceLocation;
}

/** The configs rumprun's own rumprun-bake.conf defines (docs/rumprun.md). */
export const RUMPRUN_BAKE_CONFIGS = ['xen_pv', 'xen_pci', 'hw_generic', 'hw_virtio', 'hw_virtio_scsi'] as const;

const LISTING_LINE = /^([A-Za-z0-9_]+)\s*: (.*)$/;

export function parseBakeList(stdout: string, file = 'rumprun-bake list'): Result<BakeConfigListing[], ListingError> {
  const out: BakeConfigListing[] = [];
  const lines = stdout.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trimEnd();
    if (line === '' || line.startsWith('!!!')) continue;
    const match = LISTING_LINE.exec(line);
    if (match === null) return err({ reason: 'unreadable-listing', text: line, location: { file, line: i + 1 } });
    out.push({ config: match[1] ?? '', description: match[2] ?? '' });
  }
  return ok(out);
}

/** The platform a config is for: rumprun-bake takes it from the name before the first `_`. */
export function configPlatform(config: string): string {
  return config.slice(0, Math.max(0, config.indexOf('_')));
}

/**
 * A bake config is usable when the tree offers it (its listing, when read; rumprun's defaults
 * otherwise) and it is for the tree's platform: every tree lists both the hw and the xen configs,
 * but one tree only has the libraries of the platform it was built for.
 */
export function checkBakeConfig(config: string, platform: RumprunPlatform, listing: readonly BakeConfigListing[] | undefined, location: SourceLocation): Result<void, BakeError> {
  const known = listing?.map((l) => l.config) ?? [...RUMPRUN_BAKE_CONFIGS];
  if (!known.includes(config)) {
    return listing === undefined
      ? err({ reason: 'unknown-bake-config', config, known, location })
      : err({ reason: 'config-not-in-tree', config, listed: known, location });
  }
  if (configPlatform(config) !== platform) return err({ reason: 'wrong-platform', config, treePlatform: platform, location });
  return ok(undefined);
}
