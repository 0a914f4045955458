// Signing the output repository's Release (I/O): `InRelease` (clear-signed) and `Release.gpg`
// (armored detached signature), as Debian archives carry them, made by gpg with the key the user
// gives — a secret key file, imported into a throw-away GNUPGHOME that is removed afterwards, or
// the id of a key in the user's own GnuPG home. The public key is exported beside them
// (`archive-key.gpg` for `Signed-By`, `archive-key.asc` to read), so a client can trust exactly it.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess, type ProcessRunner } from '../io/process.js';
import type { SourceLocation } from '../model/location.js';
import { err, ok, type Result } from '../model/result.js';
import { describeError } from '../io/describe-error.js';

export type SigningKey =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'key-id'; readonly id: string; readonly gnupgHome?: string };

/** Why the Release could not be signed, with the key file or `gpg key <id>` (`location`); messages in cli/cache-messages.ts. */
export type SignError = { readonly location: SourceLocation } & (
  | { readonly reason: 'gpg-missing'; readonly gpg: string }
  /** A gpg run that failed (`reason` says at which stage): its arguments, and why it never ran or its exit and stderr. */
  | { readonly reason: 'key-unusable' | 'sign-failed'; readonly gpg: string; readonly args: readonly string[]; readonly failure: string }
  | { readonly reason: 'key-unusable' | 'sign-failed'; readonly gpg: string; readonly args: readonly string[]; readonly code: number | null; readonly stderr: string }
  | { readonly reason: 'key-unusable'; readonly problem: 'no-secret-key' }
  | { readonly reason: 'ambiguous-key'; readonly fingerprints: readonly string[] }
  /** Anything else that went wrong (a temporary file), as the system said it. */
  | { readonly reason: 'sign-failed'; readonly detail: string }
);

export interface Signatures {
  readonly inRelease: Buffer;
  readonly releaseGpg: Buffer;
  /** Binary public key (a keyring `Signed-By` and gpgv read). */
  readonly publicKey: Buffer;
  readonly publicKeyArmored: Buffer;
  readonly fingerprint: string;
}

export interface SignOptions {
  readonly gpgPath?: string;
  readonly run?: ProcessRunner;
  readonly timeoutMs?: number;
}

/** Sign a Release text with the key; every gpg run is in batch mode, never asking anything. */
/** A gpg run that failed while importing or listing the key: the key is unusable (unless gpg is missing). */
function keyUnusable(e: SignError): SignError {
  return e.reason === 'sign-failed' && 'gpg' in e ? { ...e, reason: 'key-unusable' } : e;
}

export async function signRelease(release: Buffer, key: SigningKey, options: SignOptions = {}): Promise<Result<Signatures, SignError>> {
  const run = options.run ?? runProcess;
  const gpg = options.gpgPath ?? 'gpg';
  const timeoutMs = options.timeoutMs ?? 60_000;
  const where: SourceLocation = { file: key.kind === 'file' ? key.path : `gpg key ${key.id}` };
  const temp = await mkdtemp(join(tmpdir(), 'stubforge-gnupg-'));
  try {
    await chmod(temp, 0o700);
    const home = key.kind === 'file' ? join(temp, 'home') : key.gnupgHome;
    const homeArgs = home === undefined ? [] : ['--homedir', home];
    const gpgRun = async (args: readonly string[]): Promise<Result<Buffer, SignError>> => {
      const r = await run(gpg, ['--batch', '--no-tty', '--yes', ...homeArgs, ...args], { timeoutMs });
      if (r.failure !== undefined && r.code === null) {
        const missing = r.failure.includes('ENOENT');
        return err(missing ? { reason: 'gpg-missing', gpg, location: where } : { reason: 'sign-failed', gpg, args, failure: r.failure, location: where });
      }
      if (r.code !== 0) return err({ reason: 'sign-failed', gpg, args, code: r.code, stderr: r.stderr.trim(), location: where });
      return ok(r.stdout);
    };
    if (key.kind === 'file') {
      await mkdir(join(temp, 'home'), { mode: 0o700 });
      const imported = await gpgRun(['--import', key.path]);
      if (!imported.ok) return err(keyUnusable(imported.error));
    }
    const listed = await gpgRun(['--with-colons', '--list-secret-keys', ...(key.kind === 'key-id' ? [key.id] : [])]);
    if (!listed.ok) return err(keyUnusable(listed.error));
    const fingerprints = secretFingerprints(listed.value.toString('utf8'));
    if (fingerprints.length === 0) return err({ reason: 'key-unusable', problem: 'no-secret-key', location: where });
    if (fingerprints.length > 1) {
      return err({ reason: 'ambiguous-key', fingerprints, location: where });
    }
    const fingerprint = fingerprints[0] ?? '';
    const releaseFile = join(temp, 'Release');
    await writeFile(releaseFile, release);
    // A key with a passphrase cannot be used unattended: loopback pinentry with no passphrase fails instead of asking.
    const signWith = ['--pinentry-mode', 'loopback', '--passphrase', '', '--local-user', fingerprint, '--digest-algo', 'SHA512'];
    const inRelease = await gpgRun([...signWith, '--clearsign', '--output', '-', releaseFile]);
    if (!inRelease.ok) return inRelease;
    const releaseGpg = await gpgRun([...signWith, '--armor', '--detach-sign', '--output', '-', releaseFile]);
    if (!releaseGpg.ok) return releaseGpg;
    const publicKey = await gpgRun(['--export', fingerprint]);
    if (!publicKey.ok) return publicKey;
    const publicKeyArmored = await gpgRun(['--armor', '--export', fingerprint]);
    if (!publicKeyArmored.ok) return publicKeyArmored;
    return ok({ inRelease: inRelease.value, releaseGpg: releaseGpg.value, publicKey: publicKey.value, publicKeyArmored: publicKeyArmored.value, fingerprint });
  } catch (e: unknown) {
    return err({ reason: 'sign-failed', detail: describeError(e), location: where });
  } finally {
    // Stop the gpg-agent the import started in the temporary home before removing it.
    if (key.kind === 'file') await run('gpgconf', ['--homedir', join(temp, 'home'), '--kill', 'gpg-agent'], { timeoutMs: 10_000 });
    await rm(temp, { recursive: true, force: true });
  }
}

/** `fpr` records that follow a `sec` record in `--with-colons` output (not those of subkeys). */
export function secretFingerprints(colons: string): string[] {
  const out: string[] = [];
  let afterSec = false;
  for (const line of colons.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === 'sec') afterSec = true;
    else if (fields[0] === 'fpr' && afterSec) {
      if (fields[9] !== undefined && fields[9] !== '') out.push(fields[9]);
      afterSec = false;
    } else if (fields[0] === 'ssb' || fields[0] === 'pub') afterSec = false;
  }
  return out;
}
