// A unix socket of the test's own between stubforge and the Docker engine: it passes every byte
// through until the test cuts it. `cut('hang')` stops passing bytes but keeps every connection
// open and accepts new ones that never get an answer (a hung daemon, a socket that went away
// behind a forwarder); `cut('reset')` closes every connection and the listener (a daemon that died).
import { existsSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface EngineProxy {
  readonly socket: string;
  /** Connections accepted so far. */
  connections(): number;
  cut(mode: 'hang' | 'reset'): void;
  close(): Promise<void>;
}

export const ENGINE_SOCKET = '/var/run/docker.sock';

export async function startEngineProxy(socket: string, upstream = ENGINE_SOCKET): Promise<EngineProxy> {
  if (existsSync(socket)) rmSync(socket);
  const open = new Set<Socket>();
  let state: 'pass' | 'hang' | 'reset' = 'pass';
  let accepted = 0;
  const server: Server = createServer((client) => {
    accepted += 1;
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => undefined);
    if (state !== 'pass') {
      // Hung: read and drop, answer nothing.
      client.on('data', () => undefined);
      return;
    }
    const engine = createConnection(upstream);
    open.add(engine);
    engine.on('close', () => open.delete(engine));
    engine.on('error', () => client.destroy());
    client.on('data', (chunk) => { if (state === 'pass') engine.write(chunk); });
    engine.on('data', (chunk) => { if (state === 'pass') client.write(chunk); });
    client.on('end', () => { if (state === 'pass') engine.end(); });
    engine.on('end', () => { if (state === 'pass') client.end(); });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    socket,
    connections: () => accepted,
    cut(mode) {
      state = mode;
      if (mode === 'reset') {
        server.close();
        for (const s of open) s.destroy();
      }
    },
    close: () => new Promise((resolve) => {
      for (const s of open) s.destroy();
      if (!server.listening) {
        resolve();
        return;
      }
      server.close(() => { resolve(); });
    }),
  };
}
