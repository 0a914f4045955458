// `stubforge publish [DEB...] [--sign-key FILE | --sign-key-id ID]`: put application .debs into the
// output repository (a flat apt repository) and regenerate its index, signed when a key is given.
// With no .deb, re-indexes (and re-signs) what is there. docs/security-workflow.md.
import { resolve } from 'node:path';
import { outputSourcesLine, publishToOutputRepo, type SigningKey } from '../../cache/output-repo.js';
import { formatLocation } from '../../model/location.js';
import type { CliCommand, CliContext } from '../command.js';
import { ExitCode, exitCodeOfOutputRepoError } from '../exit-codes.js';
import { OUTPUT_REPO_USAGE, securityPaths } from './security-inputs.js';
import { commandArgs } from '../command-args.js';
import { describeOutputRepoError } from '../cache-messages.js';

const USAGE = 'usage: stubforge publish [DEB...] [options]\n' +
  '  DEB                application .debs to add (a version already there with other content is refused)\n' +
  '  --sign-key FILE    sign Release (InRelease, Release.gpg) with the secret key in FILE (no passphrase)\n' +
  '  --sign-key-id ID   sign with key ID of your GnuPG home ($GNUPGHOME or ~/.gnupg)\n' +
  OUTPUT_REPO_USAGE;

async function run(argv: readonly string[], ctx: CliContext): Promise<number> {
  const parsed = commandArgs('publish', USAGE, {
      args: [...argv], allowPositionals: true,
      options: { 'sign-key': { type: 'string' }, 'sign-key-id': { type: 'string' }, 'output-repo': { type: 'string' }, help: { type: 'boolean' } },
    }, ctx);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (values['sign-key'] !== undefined && values['sign-key-id'] !== undefined) {
    ctx.stderr.write(`stubforge publish: give --sign-key or --sign-key-id, not both\n${USAGE}`);
    return ExitCode.usage;
  }
  const home = ctx.env.GNUPGHOME;
  const signingKey: SigningKey | undefined = values['sign-key'] !== undefined
    ? { kind: 'file', path: resolve(ctx.cwd, values['sign-key']) }
    : values['sign-key-id'] !== undefined ? { kind: 'key-id', id: values['sign-key-id'], ...(home === undefined || home === '' ? {} : { gnupgHome: home }) } : undefined;
  const paths = securityPaths(ctx, values['output-repo']);
  const published = await publishToOutputRepo(paths.outputRepo, positionals.map((p) => resolve(ctx.cwd, p)), {
    logger: ctx.log, ...(signingKey === undefined ? {} : { signingKey }),
  });
  if (!published.ok) {
    ctx.stderr.write(`stubforge publish: ${formatLocation(published.error.location)}: ${describeOutputRepoError(published.error)}\n`);
    return exitCodeOfOutputRepoError(published.error);
  }
  const idx = published.value;
  ctx.stdout.write(`${idx.root}: ${idx.packages.length} package(s)${idx.signedBy === undefined ? ', unsigned' : `, signed by ${idx.signedBy}`}\n`);
  for (const p of idx.packages) ctx.stdout.write(`  ${p.package} ${p.version} ${p.architecture}  ${p.filename}\n`);
  ctx.stdout.write(`client sources.list line (repository copied or served at URI):\n  ${outputSourcesLine('URI', idx.signedBy !== undefined, '/etc/apt/keyrings/stubforge-output.gpg')}\n`);
  if (idx.signedBy !== undefined) ctx.stdout.write(`  with ${idx.root}/archive-key.gpg installed as /etc/apt/keyrings/stubforge-output.gpg\n`);
  return ExitCode.ok;
}

export const command: CliCommand = {
  summary: 'publish application .debs into the output apt repository, optionally signed',
  run,
};
