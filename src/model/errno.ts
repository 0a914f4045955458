// Node names the path in most failed file-system calls, but not in a write through a file handle
// (ENOSPC from `handle.writeFile` says only "write"). The host-fault message must name the file:
// this adds the path to such an error, changing nothing else.

/** Runs `work`; a system error it throws without a path gets `path`. */
export async function atPath<T>(path: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error: unknown) {
    if (typeof error === 'object' && error !== null && 'code' in error && !('path' in error)) {
      Object.assign(error, { path });
    }
    throw error;
  }
}
