// The launch configuration of an application (I/O around bake/launch-config.ts): the recipe's
// Launch-Cmdline, Launch-Env and Launch-Manifest, staged into the package root.
// - musl: the manifest's files below usr/lib/<package>/root/ and usr/lib/<package>/launch.json;
// - rumprun: usr/lib/<package>/rumprun.json (the JSON the guest reads at boot, written in
//   rumprun's wire form) and, when there are files, usr/lib/<package>/data.img, an ext2 disk
//   image mounted at the files' common top directory.
// `${SOURCE}` in the manifest is the unpacked Debian source on this machine (Debian's patches
// applied, the recipe's not: those are applied to the build's own copy).
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { runBakeCommandsOnHost, stageFiles } from '../../bake/bake-host.js';
import { muslLaunchPackage, parseLaunchCmdline, resolveLaunchArgs, rumprunLaunchConfig, type LaunchSpec } from '../../bake/launch-config.js';
import { expandManifest, parseManifest, type ManifestError, type ManifestFile, type ManifestLine } from '../../bake/manifest.js';
import { diskImageSpec } from '../../bake/rumprun-fs-image.js';
import { renderRumprunConfig } from '../../bake/rumprun-json.js';
import type { SourceLocation } from '../../model/location.js';
import { err, ok, type Result } from '../../model/result.js';
import type { ManifestLineText, NameValue } from '../../recipe/recipe.js';
import type { ApplicationError } from './app-errors.js';

/** Names in a launch command line that only the launcher knows (a stub domain's guest). */
export const LAUNCH_TIME_VARIABLES = ['DOMID'] as const;

export interface LaunchInput {
  readonly cmdline?: string;
  readonly env: readonly NameValue[];
  readonly manifest: readonly ManifestLineText[];
  readonly location: SourceLocation;
  readonly packageName: string;
  /** Package path of the (first) program: launch.json names it. */
  readonly executable: string;
  readonly kind: 'static-executable' | 'rumprun';
  readonly sourceDir: string;
  /** The package root being staged on this machine. */
  readonly stagingRoot: string;
  readonly workDir: string;
  readonly sourceDateEpoch: number;
  readonly baseEnv: Readonly<Record<string, string>>;
}

/** Each recipe line parsed on its own, its errors moved to the recipe's line. */
export function parseRecipeManifest(lines: readonly ManifestLineText[]): Result<ManifestLine[], ManifestError[]> {
  const out: ManifestLine[] = [];
  const errors: ManifestError[] = [];
  for (const l of lines) {
    const parsed = parseManifest(l.text, l.location.file);
    if (parsed.ok) out.push(...parsed.value.map((m) => ({ ...m, location: l.location })));
    else errors.push(...parsed.error.map((e) => ({ ...e, location: l.location })));
  }
  return errors.length > 0 ? err(errors) : ok(out);
}

async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) out.push(path);
    }
  };
  await walk(root);
  return out;
}

async function place(root: string, packagePath: string, from: string | { content: string }): Promise<void> {
  const target = join(root, packagePath);
  await mkdir(posix.dirname(target), { recursive: true });
  if (typeof from === 'string') await copyFile(from, target);
  else await writeFile(target, from.content);
}

/** Stages the launch files; answers the package paths written (none when the recipe gives no launch settings). */
export async function stageLaunch(input: LaunchInput): Promise<Result<string[], ApplicationError>> {
  const location = input.location;
  if (input.cmdline === undefined && input.env.length === 0 && input.manifest.length === 0) return ok([]);
  const argv = parseLaunchCmdline(input.cmdline ?? '', location);
  if (!argv.ok) return err({ reason: 'launch', error: argv.error, location });
  const resolved = resolveLaunchArgs(argv.value, {}, LAUNCH_TIME_VARIABLES, location);
  if (!resolved.ok) return err({ reason: 'launch', error: resolved.error, location });
  let files: ManifestFile[] = [];
  if (input.manifest.length > 0) {
    const lines = parseRecipeManifest(input.manifest);
    if (!lines.ok) return err({ reason: 'manifest', errors: lines.error, location });
    const expanded = expandManifest(lines.value, { variables: { SOURCE: input.sourceDir }, files: await listFiles(input.sourceDir) });
    if (!expanded.ok) return err({ reason: 'manifest', errors: expanded.error, location });
    files = expanded.value;
  }
  const spec: LaunchSpec = { argv: resolved.value.argv, env: input.env, files, location };
  const base = posix.join('usr/lib', input.packageName);
  if (input.kind === 'static-executable') {
    const musl = muslLaunchPackage(spec, { packageName: input.packageName, executable: input.executable });
    if (!musl.ok) return err({ reason: 'launch', error: musl.error, location });
    for (const e of musl.value.entries) await place(input.stagingRoot, e.packagePath, e.hostPath);
    await place(input.stagingRoot, musl.value.launcher.packagePath, { content: musl.value.launcher.content });
    return ok([...musl.value.entries.map((e) => e.packagePath), musl.value.launcher.packagePath]);
  }
  const written: string[] = [];
  let disk;
  if (files.length > 0) {
    const mountpoint = commonTop(files.map((f) => f.guestPath));
    const sizes = new Map<string, number>();
    for (const f of files) sizes.set(f.hostPath, (await stat(f.hostPath)).size);
    // The UUID seeds the directory hashes too: derived from the content, so a rebuild is identical.
    const seed = createHash('sha256').update(files.map((f) => f.guestPath).join('\n')).digest('hex');
    const uuid = `${seed.slice(0, 8)}-${seed.slice(8, 12)}-4${seed.slice(13, 16)}-8${seed.slice(17, 20)}-${seed.slice(20, 32)}`;
    const image = diskImageSpec(files, { workDir: join(input.workDir, 'disk'), sourceDateEpoch: input.sourceDateEpoch, mountpoint, sizes, uuid });
    if (!image.ok) return err({ reason: 'rumprun-config', error: image.error, location });
    await stageFiles(image.value.staging);
    const ran = await runBakeCommandsOnHost(image.value.commands, { baseEnv: input.baseEnv });
    if (!ran.ok) return err({ reason: 'bake-command', error: ran.error, location });
    await place(input.stagingRoot, posix.join(base, 'data.img'), image.value.image);
    written.push(posix.join(base, 'data.img'));
    disk = image.value.blk;
  }
  const config = rumprunLaunchConfig(spec, disk === undefined ? {} : { disk });
  if (!config.ok) return err({ reason: 'launch', error: config.error, location });
  const json = renderRumprunConfig(config.value);
  if (!json.ok) return err({ reason: 'rumprun-config', error: json.error, location });
  await place(input.stagingRoot, posix.join(base, 'rumprun.json'), { content: `${json.value}\n` });
  written.push(posix.join(base, 'rumprun.json'));
  return ok(written);
}

/** The deepest directory holding every guest path (at least one level: `/data`). */
function commonTop(paths: readonly string[]): string {
  const split = paths.map((p) => p.split('/').slice(1, -1));
  const first = split[0] ?? [];
  let n = 0;
  while (n < first.length && split.every((s) => s[n] === first[n])) n++;
  return `/${first.slice(0, Math.max(1, n)).join('/')}`;
}
