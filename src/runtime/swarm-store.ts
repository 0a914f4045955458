// The coordinator's end of the artefact exchange with Swarm tasks. A build task on another node
// cannot see the coordinator's folders, so what a local step gets as bind mounts travels over
// HTTP instead: read-only inputs (source, staged dependencies) as tarballs fetched by their
// sha256 (their content key), outputs as one tarball uploaded with its sha256 and acknowledged
// only after the coordinator has hashed every byte itself. The server listens on a unix socket in
// a folder of the coordinator's host; the store service (swarm-network.ts) relays the build
// network's TCP to it, so no task ever reaches an address of the host. The store only receives:
// publishing stays with the coordinator, after it has checked the upload.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { runHostCommand } from './host-command.js';

/** What the coordinator received from one task: a tarball whose sha256 it computed itself. */
export interface ReceivedUpload {
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
}

const SHA_RE = /^[0-9a-f]{64}$/;
const TOKEN_RE = /^[0-9a-f]{32}$/;

export class ArtefactStore {
  private readonly blobs = new Map<string, string>();
  private readonly expected = new Map<string, ReceivedUpload | undefined>();
  private server: Server | undefined;
  private constructor(readonly dir: string) {}

  /** Starts the server on `<dir>/store.sock` (mode 0666: the relay runs as the build user). */
  static async start(root: string = tmpdir()): Promise<ArtefactStore> {
    const store = new ArtefactStore(await mkdtemp(join(root, 'stubforge-store-')));
    await chmod(store.dir, 0o755);
    const server = createServer((req, res) => { store.handle(req, res).catch(() => { res.destroy(); }); });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(store.socketPath, () => { resolve(); });
    });
    await chmod(store.socketPath, 0o666);
    store.server = server;
    return store;
  }

  get socketPath(): string {
    return join(this.dir, 'store.sock');
  }

  /** Packs a folder into a tarball and offers it under its sha256, which is returned. */
  async offerFolder(folder: string): Promise<string> {
    const tarPath = join(this.dir, `in-${randomBytes(8).toString('hex')}.tar`);
    // The folder's entries, not `.`: a task that is not root cannot take over its mount point's mode.
    const listPath = `${tarPath}.list`;
    await writeFile(listPath, (await readdir(folder)).map((n) => `${n}\0`).join(''));
    const packed = await runHostCommand(['tar', '-c', '-f', tarPath, '-C', folder, '--null', '-T', listPath]);
    await rm(listPath, { force: true });
    if (packed.exitCode !== 0) throw new Error(`packing ${folder}: tar ${packed.spawnError ?? `exit ${String(packed.exitCode)}`}`);
    const sha256 = await sha256OfFile(tarPath);
    const known = this.blobs.get(sha256);
    if (known !== undefined) await rm(tarPath, { force: true });
    else this.blobs.set(sha256, tarPath);
    return sha256;
  }

  /** A one-time token under which exactly one task may upload its output. */
  expectUpload(): string {
    const token = randomBytes(16).toString('hex');
    this.expected.set(token, undefined);
    return token;
  }

  /** The verified upload for a token, if one arrived; the token is spent either way. */
  takeUpload(token: string): ReceivedUpload | undefined {
    const received = this.expected.get(token);
    this.expected.delete(token);
    return received;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => { server.close(() => { resolve(); }); });
    }
    await rm(this.dir, { recursive: true, force: true });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const [, kind, name] = (req.url ?? '').split('/');
    if (req.method === 'GET' && kind === 'blob' && name !== undefined && SHA_RE.test(name)) {
      const path = this.blobs.get(name);
      if (path === undefined) { answer(res, 404, 'no such blob\n'); return; }
      const size = (await stat(path)).size;
      res.writeHead(200, { 'content-type': 'application/x-tar', 'content-length': size });
      await pipeline(createReadStream(path), res);
      return;
    }
    if (req.method === 'PUT' && kind === 'upload' && name !== undefined && TOKEN_RE.test(name) && this.expected.has(name)) {
      return this.receive(name, req, res);
    }
    req.resume();
    answer(res, 400, 'bad request\n');
  }

  /** Hashes the body while writing it; acknowledges only when length and sha256 both match. */
  private async receive(token: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const claimed = String(req.headers['x-content-sha256'] ?? '');
    const length = Number(req.headers['content-length'] ?? NaN);
    if (!SHA_RE.test(claimed) || !Number.isSafeInteger(length)) {
      req.resume();
      answer(res, 400, 'sha256 and length required\n'); return;
    }
    const path = join(this.dir, `out-${token}.tar`);
    const hash = createHash('sha256');
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
    });
    try {
      await pipeline(req, createWriteStream(path, { mode: 0o600 }));
    } catch {
      await rm(path, { force: true });
      answer(res, 400, 'upload broken off\n'); return;
    }
    const sha256 = hash.digest('hex');
    if (sha256 !== claimed || bytes !== length || this.expected.get(token) !== undefined) {
      await rm(path, { force: true });
      answer(res, 422, `rejected ${sha256} ${String(bytes)}\n`); return;
    }
    this.expected.set(token, { path, sha256, bytes });
    answer(res, 200, `stored ${sha256}\n`);
  }
}

function answer(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}
