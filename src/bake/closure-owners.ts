// Which `-cross` package of the staged closure installs each file, as the link saw it (I/O around
// a pure parser): the file lists of the packages a build extracted into its deps directory, each
// path prefixed with where that directory is mounted (`/deps/usr/x86_64-linux-musl/lib/libz.a`).
// link-attribution.ts uses the map to name the source and version of every closure archive.
import { describeProcess, runProcess, type ProcessRunner } from '../io/process.js';
import type { PublishedDeb } from '../cache/apt-index.js';
import { err, ok, type Result } from '../model/result.js';
import type { CrossOwner } from './link-attribution.js';

export interface OwnersError {
  readonly reason: 'package-unreadable';
  readonly package: string;
  readonly detail: string;
  readonly location: { readonly file: string };
}

/** `-rw-r--r-- root/root  161620 2023-01-13 00:00 ./usr/lib/libz.a` (and `./a -> b` for links). */
const CONTENTS_LINE = /^([-dlhcbps])\S{9}\s+\S+\s+\d+\s+\S+\s+\S+\s+\.(\/.*?)(?: -> .*)?$/;

/** Paths of regular files and symlinks in `dpkg-deb --contents` output; lines it cannot read are returned too. */
export function parseDebContents(stdout: string): { readonly files: string[]; readonly unreadable: string[] } {
  const files: string[] = [];
  const unreadable: string[] = [];
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    const m = CONTENTS_LINE.exec(line);
    if (m === null) unreadable.push(line);
    else if (m[1] !== 'd' && m[2] !== undefined) files.push(m[2]);
  }
  return { files, unreadable };
}

export interface ClosurePackage {
  readonly deb: PublishedDeb;
  /** The package file on this machine. */
  readonly path: string;
}

/** Installed path under `mountPoint` → the package shipping it, for every package given. */
export async function closureOwners(packages: readonly ClosurePackage[], mountPoint: string, run: ProcessRunner = runProcess): Promise<Result<Map<string, CrossOwner>, OwnersError>> {
  const owners = new Map<string, CrossOwner>();
  for (const { deb, path } of packages) {
    const listed = await run('dpkg-deb', ['--contents', path], { timeoutMs: 120_000 });
    const fail = (detail: string): Result<never, OwnersError> => err({ reason: 'package-unreadable', package: deb.package, detail, location: { file: path } });
    if (listed.code !== 0) return fail(describeProcess(`dpkg-deb --contents ${path}`, listed));
    const { files, unreadable } = parseDebContents(listed.stdout.toString('utf8'));
    if (unreadable.length > 0) return fail(`unreadable contents line "${unreadable[0] ?? ''}"`);
    const owner: CrossOwner = { package: deb.package, source: deb.provenance.source, sourceVersion: deb.provenance.sourceVersion };
    for (const file of files) owners.set(`${mountPoint.replace(/\/+$/, '')}${file}`, owner);
  }
  return ok(owners);
}
