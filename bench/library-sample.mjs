// The library sample of bench/library-batch.md: the 50 C/C++ library sources of a suite's main
// with the most reverse build-dependencies that ship a -dev package, computed from the archive's
// own indices (InRelease checked with gpgv against Debian's keyring, then Sources, Packages and
// Contents checked against the InRelease's SHA-256 list).
//
//   node bench/library-sample.mjs [--suite bookworm] [--count 50] [--arch musl-linux-amd64] > bench/library-sample.list
//
// Definitions (the script's, stated in its output):
// - a C/C++ library source ships at least one binary named `*-dev` that installs a header under
//   usr/include/ and a library (`.a`, `.so` or a `.pc` file) under usr/lib/ (Contents index): this
//   leaves out -dev packages of other languages (golang, rust, haskell, ocaml, perl ...);
// - its reverse build-dependencies are the distinct other sources whose Build-Depends,
//   Build-Depends-Arch or Build-Depends-Indep name one of those -dev packages (every alternative,
//   any architecture restriction or profile): the source as a library, not as a tool (pkgconf's
//   pkg-config, dpkg's dpkg-dev and gettext's programs are build tools, counted elsewhere);
// - the compiler and the C library are the toolchain of a partial arch, not libraries of it:
//   sources whose -dev packages are all in the arch file's `Toolchain-Provides`, the arch's
//   `C-Library-Source`, and gcc-<N> are left out, and named in the output.
// The output is a `stubforge batch` list, one line per source, its count and -dev packages in a
// comment; the header says which InRelease it was computed from.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { download, mirrorOf } from './apt-mirror.mjs';
import { gunzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: {
  suite: { type: 'string', default: 'bookworm' }, count: { type: 'string', default: '50' },
  arch: { type: 'string', default: 'musl-linux-amd64' },
} });
const SUITE = values.suite;
const COUNT = Number(values.count);

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

/** deb822 paragraphs as objects (continuation lines joined with a blank). */
function paragraphs(text) {
  const out = [];
  for (const para of text.split(/\n\s*\n/)) {
    const fields = {};
    let last;
    for (const line of para.split('\n')) {
      if (/^\s/.test(line) && last !== undefined) fields[last] += ` ${line.trim()}`;
      else {
        const m = /^([^:\s]+):\s*(.*)$/.exec(line);
        if (m !== null) { last = m[1]; fields[last] = m[2]; }
      }
    }
    if (Object.keys(fields).length > 0) out.push(fields);
  }
  return out;
}

/** Package names a relation field mentions (every alternative; restrictions ignored). */
function namesIn(field) {
  if (field === undefined) return [];
  return field.split(/[,|]/).map((r) => /^\s*([a-z0-9][a-z0-9.+-]*)/.exec(r)?.[1]).filter((n) => n !== undefined);
}

/** The arch file's value of a field (a comma/blank list). */
function archField(name) {
  const text = readFileSync(join(here, '..', 'arch', values.arch), 'utf8');
  const m = new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(text);
  return m === null ? [] : m[1].split(/[,\s]+/).filter((w) => w !== '');
}

const work = mkdtempSync(join(tmpdir(), 'stubforge-library-sample-'));
try {
  const base = `${mirrorOf(SUITE)}/dists/${SUITE}`;
  const inRelease = await download(`${base}/InRelease`);
  writeFileSync(join(work, 'InRelease'), inRelease);
  execFileSync('gpgv', ['--keyring', '/usr/share/keyrings/debian-archive-keyring.gpg', join(work, 'InRelease')], { stdio: 'pipe' });
  const date = /^Date: (.+)$/m.exec(inRelease.toString())?.[1] ?? '?';
  const fetchIndex = async (path) => {
    const data = await download(`${base}/${path}`);
    const listed = new RegExp(`^ ([0-9a-f]{64}) +${data.length} ${path.replace(/[.]/g, '\\.')}$`, 'm').exec(inRelease.toString())?.[1];
    if (listed !== sha256(data)) throw new Error(`${path} does not match the InRelease`);
    return path.endsWith('.xz') ? execFileSync('xz', ['-dc'], { input: data, maxBuffer: 1 << 30 }).toString() : gunzipSync(data).toString();
  };
  const sources = paragraphs(await fetchIndex('main/source/Sources.xz'));
  const packages = paragraphs(await fetchIndex('main/binary-amd64/Packages.xz'));
  const contents = await fetchIndex('main/Contents-amd64.gz');

  // -dev packages with a header under usr/include and a library under usr/lib (Contents).
  const headers = new Set();
  const libs = new Set();
  for (const line of contents.split('\n')) {
    const m = /^(\S+)\s+(\S+)$/.exec(line);
    if (m === null) continue;
    const [, path, owners] = m;
    const pkgs = owners.split(',').map((o) => o.split('/').pop());
    const isHeader = path.startsWith('usr/include/');
    const isLib = /^usr\/lib\/.*(\.a|\.so|\.pc)$/.test(path) || /^usr\/share\/pkgconfig\/.*\.pc$/.test(path);
    for (const p of pkgs) {
      if (!p.endsWith('-dev')) continue;
      if (isHeader) headers.add(p);
      if (isLib) libs.add(p);
    }
  }
  const devOf = new Map();
  // -dev package (and what it Provides: libncurses5-dev → ncurses) → its source.
  const sourceOfDev = new Map();
  for (const p of packages) {
    if (!p.Package.endsWith('-dev') || !headers.has(p.Package) || !libs.has(p.Package)) continue;
    const src = (p.Source ?? p.Package).split(' ')[0];
    if (!devOf.has(src)) devOf.set(src, new Set());
    devOf.get(src).add(p.Package);
    sourceOfDev.set(p.Package, src);
    for (const name of namesIn(p.Provides)) if (!sourceOfDev.has(name)) sourceOfDev.set(name, src);
  }

  const toolchainNames = new Set(archField('Toolchain-Provides'));
  const cLibrary = archField('C-Library-Source')[0];
  const excluded = new Map();
  for (const [src, devs] of devOf) {
    if (src === cLibrary) excluded.set(src, 'the C library of the arch');
    else if ([...devs].every((d) => toolchainNames.has(d))) excluded.set(src, 'its -dev packages are the toolchain (Toolchain-Provides)');
    else if (/^gcc-\d+$/.test(src)) excluded.set(src, 'the compiler');
  }

  const rdeps = new Map();
  for (const s of sources) {
    const named = [s['Build-Depends'], s['Build-Depends-Arch'], s['Build-Depends-Indep']].flatMap(namesIn);
    for (const src of new Set(named.map((n) => sourceOfDev.get(n)).filter((x) => x !== undefined))) {
      if (src === s.Package || !devOf.has(src)) continue;
      if (!rdeps.has(src)) rdeps.set(src, new Set());
      rdeps.get(src).add(s.Package);
    }
  }
  const ranked = [...rdeps.entries()].filter(([src]) => !excluded.has(src))
    .map(([src, users]) => ({ src, count: users.size })).sort((a, b) => b.count - a.count || (a.src < b.src ? -1 : 1));
  const chosen = ranked.slice(0, COUNT);
  const lines = [
    `# The ${COUNT} C/C++ library sources of ${SUITE} main with the most reverse build-dependencies that ship a -dev package.`,
    `# Made by bench/library-sample.mjs from ${SUITE}'s InRelease of ${date} (${sources.length} sources, Contents-amd64).`,
    '# A C/C++ library: a *-dev binary installing usr/include/ headers and a usr/lib/ .a/.so/.pc.',
    '# Reverse build-dependencies: distinct other sources naming one of its -dev packages in Build-Depends(-Arch/-Indep).',
    `# Left out as the arch's toolchain: ${[...excluded.entries()].filter(([s]) => rdeps.has(s)).map(([s, why]) => `${s} (${why})`).join('; ')}.`,
    '# rank  source  arch  # reverse build-deps; -dev packages',
  ];
  for (const [i, { src, count }] of chosen.entries()) {
    lines.push(`${src} ${values.arch} --suite ${SUITE}  # ${i + 1}: ${count}; ${[...devOf.get(src)].sort().join(' ')}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
