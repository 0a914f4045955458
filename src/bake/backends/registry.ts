// Bake backends by id (docs/conventions.md §9), and the backend that serves a recipe's Bake-Config.
// A config that only a conffile defines (rumprun-bake -c) is served by the rumprun backend when its
// name has rumprun's platform prefix; the backend then checks it against the tree's listing.
import type { SourceLocation } from '../../model/location.js';
import { err, ok, type Result } from '../../model/result.js';
import type { BakeBackend, BakeBackendId, BakeError } from './backend.js';
import { rumprunBackend } from './rumprun.js';
import { staticExecutableBackend } from './static-executable.js';

export const BAKE_BACKENDS: ReadonlyMap<BakeBackendId, BakeBackend> = new Map<BakeBackendId, BakeBackend>([
  [staticExecutableBackend.id, staticExecutableBackend],
  [rumprunBackend.id, rumprunBackend],
]);

const RUMPRUN_CONFIG_NAME = /^(hw|xen)_[A-Za-z0-9_]+$/;

export function backendForConfig(config: string, location: SourceLocation, backends: ReadonlyMap<BakeBackendId, BakeBackend> = BAKE_BACKENDS): Result<BakeBackend, BakeError> {
  for (const backend of backends.values()) if (backend.configs.includes(config)) return ok(backend);
  const rumprun = backends.get('rumprun');
  if (rumprun !== undefined && RUMPRUN_CONFIG_NAME.test(config)) return ok(rumprun);
  const known = [...backends.values()].flatMap((b) => b.configs);
  return err({ reason: 'unknown-bake-config', config, known, location });
}
