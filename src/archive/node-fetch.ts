// The default FetchLike, on node:http and node:https. Node's global fetch makes the same GET, but
// its first call loads and compiles the bundled undici, about 80 ms: more than a warm `plan`
// spends on everything else but start-up (bench/plan.mjs). Redirects are followed as fetch follows
// them (at most 20, to http or https), and the body comes as the web stream fetch gives.
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { FetchLike, HttpResponse } from './http.js';

const MAX_REDIRECTS = 20;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

async function get(url: URL, signal: AbortSignal): Promise<IncomingMessage> {
  // node:https is loaded only for an https mirror.
  const { get: send } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise((resolve, reject) => {
    const req = send(url, { signal, headers: { 'user-agent': 'stubforge', accept: '*/*' } }, resolve);
    req.on('error', reject);
  });
}

export const nodeFetch: FetchLike = async (url, init) => {
  let target = new URL(url);
  for (let hop = 0; ; hop++) {
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error(`unsupported URL scheme ${target.protocol} in ${target.href}`);
    const res = await get(target, init.signal);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (REDIRECTS.has(status) && location !== undefined) {
      res.resume();
      if (hop >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects from ${url}`);
      target = new URL(location, target);
      continue;
    }
    const response: HttpResponse = { status, body: Readable.toWeb(res) as ReadableStream<Uint8Array> };
    return response;
  }
};
