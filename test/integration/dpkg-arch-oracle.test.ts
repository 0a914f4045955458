// The dpkg-architecture oracle: the architecture model, loaded from the host's own tables by
// loadArchTables, against the live `dpkg-architecture` answering from a private DPKG_DATADIR with
// the same rumprun lines prepended (as stubforge's build images do).
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArchTable, ArchTableExtra } from '../../src/arch/dpkg-arch.js';
import { DPKG_DATADIR, loadArchTables } from '../../src/arch/dpkg-tables-loader.js';

const fixture = (name: string): Promise<string> => readFile(new URL(`../fixtures/dpkg/${name}`, import.meta.url), 'utf8');
const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

let datadir = '';
let table: ArchTable;
let arches: string[] = [];
let wildcards: string[] = [];

beforeAll(async () => {
  const extra: ArchTableExtra = { ostable: await fixture('extra-ostable'), tupletable: await fixture('extra-tupletable') };
  datadir = await mkdtemp(join(tmpdir(), 'stubforge-dpkg-'));
  for (const name of ['cputable', 'abitable']) await copyFile(join(DPKG_DATADIR, name), join(datadir, name));
  for (const name of ['ostable', 'tupletable'] as const) {
    const stock = await readFile(join(DPKG_DATADIR, name), 'utf8');
    await writeFile(join(datadir, name), `${extra[name] ?? ''}${stock}`);
  }
  const loaded = await loadArchTables(DPKG_DATADIR, extra);
  if (!loaded.ok) throw new Error(loaded.error.message);
  table = loaded.value;
  arches = lines(await fixture('grid-arches.txt'));
  wildcards = lines(await fixture('grid-wildcards.txt'));
});

afterAll(async () => {
  if (datadir !== '') await rm(datadir, { recursive: true, force: true });
});

/** Run a shell loop over input lines in one bash per worker, with DPKG_DATADIR set. */
async function shellLoop(script: string, input: readonly string[], workers = 2): Promise<string[]> {
  const chunk = Math.ceil(input.length / workers);
  const run = (part: readonly string[]): Promise<string[]> =>
    new Promise((resolve, reject) => {
      const child = spawn('bash', ['-c', script], { env: { ...process.env, DPKG_DATADIR: datadir } });
      let out = '';
      let errText = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (errText += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        const result = lines(out);
        if (code !== 0 || result.length !== part.length) {
          reject(new Error(`loop exited ${code} with ${result.length}/${part.length} answers: ${errText}`));
        } else {
          resolve(result);
        }
      });
      child.stdin.end(part.map((l) => `${l}\n`).join(''));
    });
  const parts = await Promise.all(Array.from({ length: workers }, (_, w) => run(input.slice(w * chunk, (w + 1) * chunk))));
  return parts.flat();
}

describe('dpkg architecture model against dpkg-architecture', () => {
  it('answers -a X -i Y like dpkg-architecture for every arch × wildcard of the grid', async () => {
    const questions = arches.flatMap((a) => wildcards.map((w) => `${a} ${w}`));
    const answers = await shellLoop(
      'while read -r a w; do if dpkg-architecture -a "$a" -i "$w" 2>/dev/null; then echo yes; else echo no; fi; done',
      questions,
    );
    const disagreements = questions.flatMap((q, i) => {
      const [real = '', alias = ''] = q.split(' ');
      const ours = table.archIs(real, alias) ? 'yes' : 'no';
      return ours === answers[i] ? [] : [`${real} -i ${alias}: stubforge ${ours}, dpkg-architecture ${answers[i] ?? '?'}`];
    });
    for (const d of disagreements) console.error(`disagreement: ${d}`);
    expect(questions.length).toBeGreaterThan(1000);
    expect(disagreements).toEqual([]);
  });

  it('gives the GNU triplet and multiarch triplet dpkg-architecture gives', async () => {
    const answers = await shellLoop(
      'while read -r a; do echo "$(dpkg-architecture -a "$a" -q DEB_HOST_GNU_TYPE 2>/dev/null) ' +
        '$(dpkg-architecture -a "$a" -q DEB_HOST_MULTIARCH 2>/dev/null)"; done',
      arches,
    );
    const ours = arches.map((a) => `${table.gnuTriplet(a) ?? ''} ${table.multiarchTriplet(a) ?? ''}`);
    expect(ours).toEqual(answers);
    expect(answers[arches.indexOf('rumprun-amd64')]).toBe('x86_64-rumprun-netbsd x86_64-rumprun-netbsd');
    expect(answers[arches.indexOf('musl-linux-amd64')]).toBe('x86_64-linux-musl x86_64-linux-musl');
  });

  it('knows the same architectures as dpkg-architecture -L', async () => {
    const [listed = ''] = await shellLoop('read -r _; dpkg-architecture -L | tr "\\n" " "; echo', ['go'], 1);
    expect([...table.knownArches()].sort()).toEqual(listed.trim().split(' ').sort());
  });
});
