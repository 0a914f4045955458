// The dpkg oracle: stubforge's version order against the real `dpkg --compare-versions` on pairs
// of real bookworm versions (test/fixtures/versions/bookworm-versions.txt), drawn with a seeded
// generator so a failure reproduces. Every disagreement is printed.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareVersions, parseVersion, type DebVersion } from '../../src/version/index.js';

const PAIRS = 12_000;
const SEED = 0x5eed_dbad;
const WORKERS = 2;

interface Entry {
  readonly pkg: string;
  readonly version: string;
}

const entries: Entry[] = readFileSync(new URL('../fixtures/versions/bookworm-versions.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l !== '' && !l.startsWith('#'))
  .map((l) => {
    const [pkg = '', version = ''] = l.split(' ');
    return { pkg, version };
  });

/** mulberry32: small, seeded, good enough to spread picks. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function upstreamOf(version: string): string {
  return version.replace(/^[0-9]+:/, '').replace(/-[^-]*$/, '');
}

/** Groups of two or more versions sharing a key. */
function groupBy<T>(items: readonly T[], key: (item: T) => string, version: (item: T) => string): string[][] {
  const groups = new Map<string, string[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group === undefined) groups.set(key(item), [version(item)]);
    else group.push(version(item));
  }
  return [...groups.values()].filter((g) => g.length > 1);
}

/**
 * Pairs that make the comparison work hard: versions of one package (binNMUs, epochs, binaries
 * versioned apart from their source), versions sharing an upstream part (revisions, `~bpo`,
 * `+debNuM`), neighbours in sorted order (long shared prefixes), equal versions, and random pairs.
 */
function drawPairs(count: number): [string, string][] {
  const random = rng(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const pickTwo = (xs: readonly string[]): [string, string] => {
    const i = Math.floor(random() * xs.length);
    const j = (i + 1 + Math.floor(random() * (xs.length - 1))) % xs.length;
    return [xs[i] ?? '', xs[j] ?? ''];
  };
  const unique = [...new Set(entries.map((e) => e.version))].sort();
  const byPackage = groupBy(entries, (e) => e.pkg, (e) => e.version);
  const byUpstream = groupBy(unique, upstreamOf, (v) => v);
  const pairs: [string, string][] = [];
  const strategies: (() => [string, string])[] = [
    () => pickTwo(pick(byPackage)),
    () => pickTwo(pick(byUpstream)),
    () => {
      const i = Math.floor(random() * (unique.length - 4));
      return [unique[i] ?? '', unique[i + 1 + Math.floor(random() * 3)] ?? ''];
    },
    () => [pick(unique), pick(unique)],
    () => { const x = pick(unique); return [x, x]; },
  ];
  const weights = [0.3, 0.3, 0.2, 0.17, 0.03];
  while (pairs.length < count) {
    let r = random();
    let s = 0;
    while (s < weights.length - 1 && r >= (weights[s] ?? 1)) r -= weights[s++] ?? 1;
    const pair = strategies[s]?.();
    if (pair !== undefined) pairs.push(random() < 0.5 ? pair : [pair[1], pair[0]]);
  }
  return pairs;
}

// One shell per worker, reading "a b" lines: the process start is paid once per worker, dpkg once
// or twice per pair.
const LOOP = `while read -r a b; do
  if dpkg --compare-versions "$a" lt "$b"; then echo -1
  elif dpkg --compare-versions "$a" eq "$b"; then echo 0
  else echo 1; fi
done`;

function askDpkg(pairs: readonly [string, string][]): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', LOOP], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let errText = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (errText += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const answers = out.split('\n').filter((l) => l !== '').map(Number);
      if (code !== 0 || answers.length !== pairs.length) {
        reject(new Error(`dpkg loop exited ${code} with ${answers.length}/${pairs.length} answers: ${errText}`));
      } else {
        resolve(answers);
      }
    });
    child.stdin.end(pairs.map(([a, b]) => `${a} ${b}\n`).join(''));
  });
}

describe('version order against dpkg --compare-versions', () => {
  it('parses every real bookworm version', () => {
    const failures = entries.flatMap((e) => {
      const r = parseVersion(e.version);
      return r.ok ? [] : [`${e.pkg} ${e.version}: ${r.error.message}`];
    });
    expect(entries.length).toBeGreaterThan(30_000);
    expect(failures).toEqual([]);
  });

  it(`agrees with dpkg on ${PAIRS} real version pairs`, async () => {
    const pairs = drawPairs(PAIRS);
    const chunk = Math.ceil(pairs.length / WORKERS);
    const started = performance.now();
    const parts = await Promise.all(
      Array.from({ length: WORKERS }, (_, w) => askDpkg(pairs.slice(w * chunk, (w + 1) * chunk))),
    );
    const dpkgAnswers = parts.flat();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);

    const parsed = new Map<string, DebVersion>();
    const parse = (text: string): DebVersion => {
      let v = parsed.get(text);
      if (v === undefined) {
        const r = parseVersion(text);
        if (!r.ok) throw new Error(`${text}: ${r.error.message}`);
        v = r.value;
        parsed.set(text, v);
      }
      return v;
    };
    const disagreements: string[] = [];
    let equal = 0;
    pairs.forEach(([a, b], i) => {
      const ours = compareVersions(parse(a), parse(b));
      const theirs = dpkgAnswers[i];
      if (theirs === 0) equal++;
      if (ours !== theirs) disagreements.push(`${a} vs ${b}: stubforge ${ours}, dpkg ${theirs}`);
    });
    for (const d of disagreements) console.error(`disagreement: ${d}`);
    console.info(`dpkg oracle: ${pairs.length} pairs (${equal} equal) in ${seconds} s, ${disagreements.length} disagreements`);
    expect(disagreements).toEqual([]);
  });
});
