// The registry build images travel through: Debian's `docker-registry` (distribution 2.x),
// started by `stubforge cluster registry` with a configuration of stubforge's own (storage in the
// state folder, listening on the address given, loopback by default), detached from the command
// that starts it and recorded by pid file, so that `cluster status` can tell whether it runs.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'node:http';
import { startDetached } from '../io/detached.js';

export const REGISTRY_PROGRAM = '/usr/bin/docker-registry';
export const DEFAULT_REGISTRY_ADDRESS = '127.0.0.1:5000';

/** The registry's configuration (YAML is JSON's superset: written as JSON, no YAML library needed). */
export function registryConfig(storageDir: string, address: string): string {
  return `${JSON.stringify({
    version: 0.1,
    log: { level: 'warn', fields: { service: 'stubforge-registry' } },
    storage: { filesystem: { rootdirectory: storageDir }, delete: { enabled: true } },
    http: { addr: address, headers: { 'X-Content-Type-Options': ['nosniff'] } },
  }, null, 2)}\n`;
}

/** Answers whether a registry answers the v2 API at `address` (host:port), within a second. */
export function registryAnswers(address: string): Promise<boolean> {
  const host = address.slice(0, address.lastIndexOf(':'));
  const port = address.slice(address.lastIndexOf(':') + 1);
  return new Promise((resolve) => {
    const req = request({ host, port: Number(port), path: '/v2/', method: 'GET', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => { req.destroy(); });
    req.on('error', () => { resolve(false); });
    req.end();
  });
}

export interface RegistryStart {
  readonly pid?: number;
  readonly alreadyRunning: boolean;
  readonly configFile: string;
  readonly logFile: string;
}

/** Starts the registry unless one answers at the address; waits up to 15 s for it to answer. */
export async function startRegistry(stateDir: string, address: string): Promise<RegistryStart> {
  const dir = join(stateDir, 'registry');
  const configFile = join(dir, 'config.yml');
  const logFile = join(dir, 'registry.log');
  if (await registryAnswers(address)) return { alreadyRunning: true, configFile, logFile };
  await mkdir(join(dir, 'storage'), { recursive: true });
  await writeFile(configFile, registryConfig(join(dir, 'storage'), address));
  const spawned = await startDetached(REGISTRY_PROGRAM, ['serve', configFile], logFile);
  await writeFile(join(dir, 'registry.pid'), `${String(spawned)}\n`);
  for (let i = 0; i < 60; i += 1) {
    if (await registryAnswers(address)) return { pid: spawned, alreadyRunning: false, configFile, logFile };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the registry did not answer on ${address} within 15 s (log: ${logFile})`);
}

/** The pid the registry was started with, if stubforge started it. */
export async function registryPid(stateDir: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(join(stateDir, 'registry', 'registry.pid'), 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
