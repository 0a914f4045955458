// A build's scratch space, watched: everything a build step can write lives in host folders the
// step is given (its source copy and build dir at /build, its output at /out, /tmp), so their sum
// is what the build uses on disk. The engine cannot cap a container's writable layer on every
// storage driver (overlay2 on ext4 cannot); measuring the folders works on all of them.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Bytes allocated on disk under `dirs` (st_blocks, as du counts), links not followed. */
export async function allocatedBytes(dirs: readonly string[]): Promise<number> {
  let total = 0;
  const walk = async (path: string): Promise<void> => {
    const st = await lstat(path).catch(() => undefined);
    if (st === undefined) return;
    total += st.blocks * 512;
    if (!st.isDirectory()) return;
    const names = await readdir(path).catch(() => [] as string[]);
    for (const name of names) await walk(join(path, name));
  };
  for (const dir of dirs) await walk(dir);
  return total;
}

/**
 * Measures `dirs` every `intervalMs`; the first time they hold more than `limitBytes`, calls
 * `onExceeded` with the figure. Answers a function that stops the watch.
 */
export function watchScratch(dirs: readonly string[], limitBytes: number, intervalMs: number, onExceeded: (usedBytes: number) => void): () => void {
  let busy = false;
  let done = false;
  const timer = setInterval(() => {
    if (busy || done) return;
    busy = true;
    void allocatedBytes(dirs).then((used) => {
      busy = false;
      if (!done && used > limitBytes) {
        done = true;
        onExceeded(used);
      }
    });
  }, intervalMs);
  timer.unref();
  return () => {
    done = true;
    clearInterval(timer);
  };
}
