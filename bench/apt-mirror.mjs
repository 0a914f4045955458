// What the bench scripts that read the archive share: the mirror this machine's apt is set to
// for a suite, and a download that fails on any HTTP error.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The base URL of the apt entry that lists the suite (deb822 .sources or one-line lists). */
export function mirrorOf(suite) {
  const dir = '/etc/apt/sources.list.d';
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.sources'))) {
    for (const para of readFileSync(join(dir, name), 'utf8').split(/\n\s*\n/)) {
      const uri = /^URIs:\s*(\S+)/m.exec(para)?.[1];
      const suites = /^Suites:\s*(.+)$/m.exec(para)?.[1]?.split(/\s+/) ?? [];
      if (uri !== undefined && suites.includes(suite)) return uri.replace(/\/$/, '');
    }
  }
  for (const file of ['/etc/apt/sources.list', ...readdirSync(dir).filter((n) => n.endsWith('.list')).map((n) => join(dir, n))]) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
      if (m !== null && m[2] === suite) return m[1].replace(/\/$/, '');
    }
  }
  throw new Error(`no apt entry lists ${suite}`);
}

export async function download(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}
