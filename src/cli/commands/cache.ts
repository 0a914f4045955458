// `stubforge cache verify [--repair]`: the build cache (the local apt repository) checked against
// itself — every package's SHA-256 against its publish record, the index against Release and the
// pool, no orphans, no leftovers — and, with --repair, mended: damaged keys unpublished (they are
// built again), orphans and leftovers removed, the index regenerated, then checked again.
// docs/reliability.md.
import { existsSync } from 'node:fs';
import { openRepo } from '../../cache/apt-repo.js';
import { removeUntrusted, verifyRepo, type RepoCheck } from '../../cache/repo-verify.js';
import type { CliCommand, CliContext } from '../command.js';
import { resolvePaths } from '../config.js';
import { cacheVerifyExitCode, ExitCode } from '../exit-codes.js';
import { commandArgs } from '../command-args.js';
import { describeRepoError } from '../cache-messages.js';

const USAGE = 'usage: stubforge cache verify [--repair]\n' +
  '  --repair           unpublish damaged keys (the next build builds them again), remove orphans\n' +
  '                     and leftovers, regenerate the index; then verify again\n' +
  'exit status: 0 clean (or repaired clean), 1 problems found (or left), 6 the repository cannot be read\n';

function report(check: RepoCheck, out: NodeJS.WritableStream): void {
  out.write(`checked ${check.root}: ${check.keys} key(s), ${check.packages} package(s)${check.deep ? ' (SHA-256 of each)' : ''}, ` +
    'Packages and Packages.xz against Release, Packages against the pool, pool orphans, leftovers of dead processes\n');
  if (check.findings.length === 0) {
    out.write('found: nothing wrong\n');
    return;
  }
  out.write(`found ${check.findings.length} problem(s):\n`);
  for (const f of check.findings) out.write(`  ${f.kind}: ${f.path}: ${f.detail}\n`);
}

async function run(argv: readonly string[], ctx: CliContext): Promise<number> {
  const parsed = commandArgs('cache', USAGE, { args: [...argv], allowPositionals: true, options: { repair: { type: 'boolean' }, help: { type: 'boolean' } } }, ctx);
  if (typeof parsed === 'number') return parsed;
  if (parsed.positionals.length !== 1 || parsed.positionals[0] !== 'verify') {
    ctx.stderr.write(USAGE);
    return ExitCode.usage;
  }
  const root = resolvePaths(ctx.env, ctx.cwd).repoDir;
  if (!existsSync(root)) {
    ctx.stdout.write(`checked ${root}: no repository yet (nothing published)\n`);
    return ExitCode.ok;
  }
  const first = await verifyRepo(root, { deep: true });
  if (!first.ok) {
    ctx.stderr.write(`stubforge cache: cannot read the repository: ${first.error}\n`);
    return ExitCode.host;
  }
  report(first.value, ctx.stdout);
  if (first.value.findings.length === 0) return ExitCode.ok;
  if (parsed.values.repair !== true) {
    ctx.stdout.write('did: nothing (run `stubforge cache verify --repair` to mend it)\n');
    return ExitCode.failed;
  }
  const removed = await removeUntrusted(root, first.value.findings);
  if (!removed.ok) {
    ctx.stderr.write(`stubforge cache: repair failed: ${removed.error}\n`);
    return ExitCode.host;
  }
  for (const a of removed.value) ctx.stdout.write(`did: ${a.path}: ${a.did}\n`);
  // Opening regenerates an index that disagrees with the pool (and refuses when it cannot).
  const opened = await openRepo(root, { logger: ctx.log });
  if (!opened.ok) {
    ctx.stderr.write(`stubforge cache: ${opened.error.location.file}: ${describeRepoError(opened.error)}\n`);
    return ExitCode.host;
  }
  if (first.value.findings.some((f) => f.kind !== 'pool-orphan' && f.kind !== 'leftover')) ctx.stdout.write(`did: ${root}: index regenerated from the pool\n`);
  const again = await verifyRepo(root, { deep: true });
  if (!again.ok) {
    ctx.stderr.write(`stubforge cache: cannot read the repository: ${again.error}\n`);
    return ExitCode.host;
  }
  ctx.stdout.write('verified again:\n');
  report(again.value, ctx.stdout);
  return cacheVerifyExitCode(again.value.findings.length);
}

export const command: CliCommand = {
  summary: 'check the build cache (local apt repository) against itself; --repair mends it',
  run,
};
