// A local HTTP server on 127.0.0.1 in front of the real mirror(s) from the apt configuration: it
// passes every request through, records it, and alters the bytes of the paths a test names, the
// way a hostile mirror or a man in the middle would.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Tamper = (path: string, body: Buffer) => Buffer | undefined;

export interface MirrorProxy {
  /** `${url}/<prefix>` stands for the upstream base named `<prefix>`. */
  readonly url: string;
  /** Paths requested (after the prefix), in order. */
  readonly requests: string[];
  tamper: Tamper | undefined;
  close(): Promise<void>;
}

/** Flip one bit of the byte in the middle: the smallest change there is. */
export function flipMiddleByte(body: Buffer): Buffer {
  const copy = Buffer.from(body);
  const middle = Math.floor(copy.length / 2);
  copy[middle] = (copy[middle] ?? 0) ^ 0x01;
  return copy;
}

export async function startMirrorProxy(upstreams: Readonly<Record<string, string>>): Promise<MirrorProxy> {
  const requests: string[] = [];
  const proxy: MirrorProxy = {
    url: '',
    requests,
    tamper: undefined,
    close: () => new Promise((resolve) => { server.close(() => { resolve(); }); }),
  };
  const server: Server = createServer((req, res) => {
    const [, prefix = '', ...rest] = (req.url ?? '/').split('/');
    const base = upstreams[prefix];
    const path = `/${rest.join('/')}`;
    if (base === undefined) {
      res.writeHead(500).end(`no upstream ${prefix}`);
      return;
    }
    requests.push(path);
    fetch(`${base}${path}`).then(async (upstream) => {
      let body: Buffer = Buffer.from(await upstream.arrayBuffer());
      if (upstream.ok) body = proxy.tamper?.(path, body) ?? body;
      res.writeHead(upstream.status, { 'content-length': body.length }).end(body);
    }).catch((error: unknown) => {
      res.writeHead(502).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(proxy, { url: `http://127.0.0.1:${port}` });
}
