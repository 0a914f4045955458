// A daemon started detached from the command that starts it (the registry of `stubforge cluster
// registry`): its output appended to a log file, its pid returned once it has started, and the
// caller free to exit while it runs on.
import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';

export async function startDetached(command: string, args: readonly string[], logFile: string): Promise<number> {
  const log = await open(logFile, 'a');
  const child = spawn(command, [...args], { detached: true, stdio: ['ignore', log.fd, log.fd] });
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('spawn', () => { resolve(child.pid ?? 0); });
    child.once('error', reject);
  }).finally(() => { void log.close(); });
  child.unref();
  return pid;
}
