// Reading dpkg's answers about file ownership (pure): `dpkg -S <path>` and
// `dpkg-query -W -f '${binary:Package}\t${source:Package}\t${source:Version}\n' <pkg>`.
// The process runs elsewhere (link-trace-io.ts); these parse what it printed.
import { err, ok, type Result } from '../model/result.js';
import type { HostPackageOwner } from './link-attribution.js';

/** The format handed to dpkg-query, which expands `\t` and `\n` itself: one line per package. */
export const DPKG_QUERY_SOURCE_FORMAT = '${binary:Package}\\t${source:Package}\\t${source:Version}\\n';

/**
 * Packages owning exactly `path`, from `dpkg -S` output. Diversion lines (`diversion by X from:`)
 * are not ownership; `a, b: /path` names several owners.
 */
export function parseDpkgSearch(stdout: string, path: string): string[] {
  const owners: string[] = [];
  for (const line of stdout.split('\n')) {
    if (line === '' || line.startsWith('diversion by ')) continue;
    const sep = line.lastIndexOf(': ');
    if (sep < 0 || line.slice(sep + 2) !== path) continue;
    for (const name of line.slice(0, sep).split(', ')) if (name !== '' && !owners.includes(name)) owners.push(name);
  }
  return owners;
}

export function parseDpkgQuerySource(stdout: string, pkg: string): Result<HostPackageOwner, string> {
  for (const line of stdout.split('\n')) {
    const [name, source, version] = line.split('\t');
    if (name === undefined || source === undefined || version === undefined) continue;
    // dpkg-query answers `musl-dev:amd64` for `musl-dev` and the other way round.
    if (name === pkg || name.split(':')[0] === pkg.split(':')[0]) {
      if (source === '' || version === '') return err(`dpkg-query gave no source for ${pkg}: "${line}"`);
      return ok({ package: name, source, sourceVersion: version });
    }
  }
  return err(`dpkg-query did not describe ${pkg}`);
}

/**
 * Since usrmerge `/lib` is `/usr/lib` (and `/bin`, `/sbin`, `/lib64`...): dpkg knows a file under
 * the name its package ships, which may be the other one.
 */
export function usrMergeAlias(path: string): string | undefined {
  const merged = /^\/(bin|sbin|lib|lib32|lib64|libx32)\//.exec(path);
  if (merged !== null) return `/usr${path}`;
  const usr = /^\/usr\/(bin|sbin|lib|lib32|lib64|libx32)\//.exec(path);
  if (usr !== null) return path.slice('/usr'.length);
  return undefined;
}
