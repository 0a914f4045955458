// Shared by the benchmarks: this machine's apt sources with `deb-src` added, in a private apt
// configuration (its own lists and cache directories), so `apt-get build-dep -s` can run without
// touching the system's configuration. The mirror comes from /etc/apt, never from this file.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** deb822 `.sources` files get `deb-src` in Types; one-line `deb` entries get a `deb-src` twin. */
function withDebSrc(aptDir) {
  const files = [];
  const parts = join(aptDir, 'sources.list.d');
  for (const name of readdirSync(parts).filter((n) => n.endsWith('.sources'))) {
    const text = readFileSync(join(parts, name), 'utf8').replace(/^Types:\s*deb\s*$/gm, 'Types: deb deb-src');
    files.push([name, text]);
  }
  const lists = [join(aptDir, 'sources.list'), ...readdirSync(parts).filter((n) => n.endsWith('.list')).map((n) => join(parts, n))];
  const lines = [];
  for (const file of lists) {
    let text = '';
    try { text = readFileSync(file, 'utf8'); } catch { continue; }
    for (const line of text.split('\n')) {
      if (/^deb\s/.test(line)) lines.push(line, line.replace(/^deb(\s)/, 'deb-src$1'));
    }
  }
  if (lines.length > 0) files.push(['from-sources-list.list', `${lines.join('\n')}\n`]);
  return files;
}

/** A private apt configuration with deb-src, its indices downloaded once (not timed). */
export function privateAptWithSources(aptDir = '/etc/apt') {
  const dir = mkdtempSync(join(tmpdir(), 'stubforge-bench-apt-'));
  const parts = join(dir, 'parts');
  for (const d of [parts, join(dir, 'lists/partial'), join(dir, 'cache/archives/partial')]) mkdirSync(d, { recursive: true });
  for (const [name, text] of withDebSrc(aptDir)) writeFileSync(join(parts, name), text);
  const options = [
    '-o', 'Dir::Etc::SourceList=/dev/null', '-o', `Dir::Etc::SourceParts=${parts}`, '-o', 'APT::Sandbox::User=root',
    '-o', `Dir::State::Lists=${join(dir, 'lists')}`, '-o', `Dir::Cache=${join(dir, 'cache')}`,
  ];
  execFileSync('apt-get', [...options, '-q', 'update'], { stdio: ['ignore', 'ignore', 'inherit'] });
  return { dir, options };
}
