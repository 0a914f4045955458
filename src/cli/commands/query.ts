// `stubforge query embeds <source> [<op> <version>]`: every package that embeds a source, at which
// version, from the output repository, the build cache's -cross packages, and any .deb or apt
// repository given. docs/security-workflow.md.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readDebEmbeds, readRepoEmbeds, type EmbedsRead, type EmbedsReadError } from '../../cache/embeds-reader.js';
import { dedupeMatches, describeQuery, matchEmbeds, parseEmbedsQuery, type EmbedMatch, type EmbedQuery } from '../../cache/embeds-query.js';
import { formatLocation } from '../../model/location.js';
import { err, ok, type Result } from '../../model/result.js';
import { openRepo } from '../../cache/apt-repo.js';
import { INDEX_KINDS, verifyRepo } from '../../cache/repo-verify.js';
import type { CliCommand, CliContext } from '../command.js';
import { ExitCode, queryExitCode } from '../exit-codes.js';
import { OUTPUT_REPO_USAGE, securityPaths } from './security-inputs.js';
import { commandArgs } from '../command-args.js';
import { describeEmbedsReadError, describeProvenanceProblem, describeQueryError, describeRepoError } from '../cache-messages.js';


const USAGE = 'usage: stubforge query embeds <source> [<op> <version>] [options]\n' +
  '       stubforge query embeds \'<source> (<op> <version>)\' [options]\n' +
  '  <op>               << <= = >= >> (dpkg\'s order; quote << and >> for the shell)\n' +
  '  --deb FILE         also read this .deb (repeatable)\n' +
  '  --repo DIR|URL     also read this apt repository (repeatable): flat (Packages[.xz] at the top),\n' +
  '                     a dists/<suite> directory, or a base holding dists/\n' +
  '  --suite S          the suites of a dists/ repository to read (repeatable; needed for a URL)\n' +
  '  --only-given       read only the --deb and --repo inputs, not the output repository and build cache\n' +
  OUTPUT_REPO_USAGE +
  '  --format F         text (default) or json\n' +
  'exit status: 0 found, 1 nothing embeds it, 2 usage, 4 an input could not be read completely\n';

interface Input {
  readonly label: string;
  readonly read: () => Promise<Result<EmbedsRead, EmbedsReadError>>;
}

async function run(argv: readonly string[], ctx: CliContext): Promise<number> {
  const parsed = commandArgs('query', USAGE, {
      args: [...argv], allowPositionals: true,
      options: {
        deb: { type: 'string', multiple: true }, repo: { type: 'string', multiple: true }, suite: { type: 'string', multiple: true },
        'only-given': { type: 'boolean' }, 'output-repo': { type: 'string' }, format: { type: 'string', default: 'text' }, help: { type: 'boolean' },
      },
    }, ctx);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [what, ...words] = positionals;
  if (what !== 'embeds' || (values.format !== 'text' && values.format !== 'json')) {
    ctx.stderr.write(USAGE);
    return ExitCode.usage;
  }
  const query = parseEmbedsQuery(words);
  if (!query.ok) {
    ctx.stderr.write(`stubforge query: ${describeQueryError(query.error)}\n${USAGE}`);
    return ExitCode.usage;
  }

  const paths = securityPaths(ctx, values['output-repo']);
  const suites = values.suite ?? [];
  const inputs: Input[] = [];
  const problems: string[] = [];
  if (values['only-given'] !== true) {
    // The default inputs: absent ones are simply not built yet.
    if (existsSync(join(paths.outputRepo, 'Release'))) inputs.push({ label: paths.outputRepo, read: () => readRepoEmbeds(paths.outputRepo) });
    // The build cache's index is checked against its pool first: an index that lags the pool
    // (an index write that failed after a publish) would answer "nothing embeds it" wrongly.
    const cache = paths.cacheRepo;
    const current = existsSync(join(cache, 'pool')) ? await currentCacheIndex(cache, ctx) : ok(undefined);
    if (!current.ok) problems.push(current.error);
    else if (existsSync(join(cache, 'Release'))) inputs.push({ label: cache, read: () => readRepoEmbeds(cache) });
  }
  for (const deb of values.deb ?? []) {
    const path = resolve(ctx.cwd, deb);
    inputs.push({ label: path, read: () => readDebEmbeds(path) });
  }
  for (const repo of values.repo ?? []) {
    const where = /^[a-z]+:/.test(repo) ? repo : resolve(ctx.cwd, repo);
    inputs.push({ label: where, read: () => readRepoEmbeds(where, { suites }) });
  }

  const matches: EmbedMatch[] = [];
  const read: string[] = [];
  for (const input of inputs) {
    const got = await input.read();
    if (!got.ok) {
      problems.push(`${formatLocation(got.error.location)}: ${describeEmbedsReadError(got.error)}`);
      continue;
    }
    read.push(...got.value.read);
    matches.push(...matchEmbeds(got.value.packages, query.value));
    problems.push(...got.value.problems.map((p) => `${formatLocation(p.location)}: ${describeProvenanceProblem(p)}`));
  }
  const found = dedupeMatches(matches);
  if (values.format === 'json') ctx.stdout.write(`${JSON.stringify(jsonOf(query.value, read, found, problems), null, 2)}\n`);
  else ctx.stdout.write(textOf(query.value, read, found));
  for (const p of problems) ctx.stderr.write(`stubforge query: ${p}\n`);
  if (problems.length > 0) ctx.stderr.write(`stubforge query: ${problems.length} problem(s) reading the inputs: the answer may be incomplete\n`);
  return queryExitCode({ matches: found.length, problems: problems.length });
}

/** The cache repository's index made to agree with its pool, or why it cannot be. */
async function currentCacheIndex(root: string, ctx: CliContext): Promise<Result<void, string>> {
  const checked = await verifyRepo(root);
  if (!checked.ok) return err(`${root}: cannot check the index against the pool: ${checked.error}`);
  const stale = checked.value.findings.filter((f) => INDEX_KINDS.has(f.kind));
  if (stale.length === 0) return ok(undefined);
  // Opening the repository regenerates the index (under its lock), or says why it cannot.
  const opened = await openRepo(root, { logger: ctx.log });
  if (opened.ok) return ok(undefined);
  return err(`${root}: the index disagrees with the pool (${stale.map((f) => `${f.path}: ${f.detail}`).join('; ')}) ` +
    `and cannot be regenerated (${describeRepoError(opened.error)}); not answering from it`);
}

function jsonOf(query: EmbedQuery, read: readonly string[], matches: readonly EmbedMatch[], problems: readonly string[]): unknown {
  return {
    query: { source: query.source, ...(query.constraint === undefined ? {} : { op: query.constraint.op, version: query.constraint.version }) },
    inputs: read,
    matches: matches.map((m) => ({
      package: m.package, version: m.version, architecture: m.architecture, source: m.source, sourceVersion: m.sourceVersion, via: m.via, from: formatLocation(m.origin),
    })),
    problems,
  };
}

function textOf(query: EmbedQuery, read: readonly string[], matches: readonly EmbedMatch[]): string {
  const out: string[] = [];
  if (read.length === 0) out.push('no input to read: nothing published yet (give --repo or --deb)');
  out.push(matches.length === 0
    ? `no package embeds ${describeQuery(query)}`
    : `${matches.length} package(s) embed ${describeQuery(query)}:`);
  const rows = [['package', 'version', 'arch', 'embeds', 'via', 'from'], ...matches.map((m) => [
    m.package, m.version, m.architecture, `${m.source} ${m.sourceVersion}`, m.via.join(', '), formatLocation(m.origin),
  ])];
  if (matches.length > 0) {
    const widths = rows.reduce<number[]>((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), []);
    for (const r of rows) out.push(`  ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')}`);
  }
  out.push(`read: ${read.length === 0 ? 'nothing' : read.join(', ')}`);
  return `${out.join('\n')}\n`;
}

export const command: CliCommand = {
  summary: 'which packages embed a source package (at which version): output repository, build cache, .debs, apt repositories',
  run,
};
