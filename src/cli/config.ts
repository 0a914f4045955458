// Resolves where stubforge keeps things and which archive it reads, from the environment and the
// command line. The only module (with cli/main.ts) that looks at process.env, through CliContext.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { findPackageRoot } from '../runtime/environments.js';

export interface StubforgePaths {
  /** Downloaded indices, unpacked sources (re-creatable). */
  readonly cacheDir: string;
  /** The local apt repository of published builds: the build cache. */
  readonly repoDir: string;
  /** Build logs and per-build records. */
  readonly stateDir: string;
}

/**
 * The engine's socket: DOCKER_HOST when it names a unix socket (`unix://PATH`; remote engines are
 * not used), else the engine's default.
 */
export function engineSocketOption(env: Readonly<Record<string, string | undefined>>): { readonly socketPath?: string } {
  const host = env.DOCKER_HOST;
  return host?.startsWith('unix://') === true ? { socketPath: host.slice('unix://'.length) } : {};
}

export const DEFAULT_TARGET = 'qemu-stubdom';
export const DEFAULT_ARCH = 'musl-linux-amd64';

/**
 * `$STUBFORGE_HOME` holds everything when set; otherwise the XDG cache and data homes.
 * `$STUBFORGE_CACHE` overrides only the download cache.
 */
export function resolvePaths(env: Readonly<Record<string, string | undefined>>, cwd: string): StubforgePaths {
  const home = env.STUBFORGE_HOME;
  if (home !== undefined && home !== '') {
    const base = resolve(cwd, home);
    return {
      cacheDir: env.STUBFORGE_CACHE ?? join(base, 'cache'),
      repoDir: join(base, 'repo'),
      stateDir: join(base, 'state'),
    };
  }
  const userHome = env.HOME ?? homedir();
  const xdgCache = env.XDG_CACHE_HOME ?? join(userHome, '.cache');
  const xdgData = env.XDG_DATA_HOME ?? join(userHome, '.local', 'share');
  return {
    cacheDir: env.STUBFORGE_CACHE ?? join(xdgCache, 'stubforge'),
    repoDir: join(xdgData, 'stubforge', 'repo'),
    stateDir: join(xdgData, 'stubforge', 'state'),
  };
}

/** The project's own folders (arch/, recipes/, docker/), from src/ (tests) as from dist/src/. */
export function projectRoot(): string {
  return findPackageRoot();
}
