// OpenPGP checks of clear-signed archive files with gpgv, the way apt does them:
// - the file must be exactly one clear-signed message: nothing before the armor header, nothing
//   after the signature, one message only (otherwise what gpgv verified and what we parse could
//   differ: the old InRelease-with-trailing-data attacks on apt);
// - gpgv runs with --status-fd and the result is read from the status lines, not the exit code
//   (gpgv exits non-zero when one of several signatures has an unknown key, which is normal for
//   an InRelease signed by the archive and the release team);
// - any BADSIG / EXPKEYSIG / REVKEYSIG / EXPSIG fails; at least one GOODSIG with its VALIDSIG is
//   needed, made with a hash apt also accepts (not MD5, SHA-1 or RIPEMD-160), and when the apt
//   entry's Signed-By lists fingerprints, by one of those keys.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { err, ok, type Result } from '../model/result.js';
import type { SignedBy } from './apt-sources.js';
import type { ProcessRunner } from '../io/process.js';
import { describeProcess } from '../io/process.js';
import { readVerdict, verdictKey, writeVerdict, type VerdictStore } from './gpgv-verdicts.js';
import { atPath } from '../io/errno.js';
import { describeError } from '../io/describe-error.js';

export const DEFAULT_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

const BEGIN_SIGNED = '-----BEGIN PGP SIGNED MESSAGE-----';
const BEGIN_SIGNATURE = '-----BEGIN PGP SIGNATURE-----';
const END_SIGNATURE = '-----END PGP SIGNATURE-----';
/** OpenPGP hash algorithm ids apt refuses for archive signatures. */
const WEAK_HASHES = new Set(['1', '2', '3']);
const FAILING = new Set(['BADSIG', 'EXPKEYSIG', 'REVKEYSIG', 'EXPSIG']);

/** The shape check described above; the detail says what is wrong. */
export function checkClearSignedShape(text: string): Result<true, string> {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines[0] !== BEGIN_SIGNED) return err('does not start with a clear-signed message header');
  const count = (marker: string): number => lines.filter((l) => l === marker).length;
  if (count(BEGIN_SIGNED) !== 1 || count(BEGIN_SIGNATURE) !== 1 || count(END_SIGNATURE) !== 1) {
    return err('is not exactly one clear-signed message');
  }
  let last = lines.length - 1;
  while (last > 0 && (lines[last] ?? '').trim() === '') last--;
  if (lines[last] !== END_SIGNATURE) return err('has data after the signature');
  if (lines.indexOf(BEGIN_SIGNATURE) > lines.indexOf(END_SIGNATURE)) return err('has its signature markers out of order');
  return ok(true);
}

export interface GoodSignature {
  /** Fingerprint of the signing (sub)key. */
  readonly fingerprint: string;
  /** Fingerprint of its primary key. */
  readonly primary: string;
}

/** Read gpgv's status lines; `fingerprints` restricts the accepted keys (Signed-By). */
export function readGpgvStatus(status: string, fingerprints?: readonly string[]): Result<GoodSignature[], string> {
  const good: GoodSignature[] = [];
  let goodsig = 0;
  for (const line of status.split('\n')) {
    const m = /^\[GNUPG:\] (\S+)(?: (.*))?$/.exec(line.trim());
    if (m === null) continue;
    const [, keyword = '', rest = ''] = m;
    if (FAILING.has(keyword)) return err(`gpgv: ${keyword} ${rest}`);
    if (keyword === 'GOODSIG') goodsig++;
    if (keyword === 'VALIDSIG') {
      const fields = rest.split(' ');
      const fingerprint = fields[0] ?? '';
      const hash = fields[7] ?? '';
      if (WEAK_HASHES.has(hash)) return err(`gpgv: signature by ${fingerprint} uses weak hash algorithm ${hash}`);
      good.push({ fingerprint, primary: fields[9] ?? fingerprint });
    }
  }
  if (goodsig === 0 || good.length === 0) return err('gpgv: no good signature from a key in the keyring');
  if (fingerprints === undefined) return ok(good);
  // A fingerprint ending in "!" names that exact (sub)key; otherwise the primary key or any subkey.
  const allowed = good.filter((g) => fingerprints.some((f) => {
    const exact = f.endsWith('!');
    const fpr = f.replace(/!$/, '').toUpperCase();
    return exact ? g.fingerprint.toUpperCase() === fpr : g.primary.toUpperCase() === fpr || g.fingerprint.toUpperCase() === fpr;
  }));
  if (allowed.length === 0) return err(`gpgv: good signatures, but none by a key Signed-By allows (${fingerprints.join(', ')})`);
  return ok(allowed);
}

/** ASCII armor → the binary key packets gpgv reads as a keyring (gpgv does not read armor). */
export function dearmor(armored: string): Result<Buffer, string> {
  const lines = armored.split('\n').map((l) => l.trim());
  const begin = lines.indexOf('-----BEGIN PGP PUBLIC KEY BLOCK-----');
  const end = lines.indexOf('-----END PGP PUBLIC KEY BLOCK-----');
  if (begin === -1 || end <= begin) return err('no complete PGP public key block');
  let i = begin + 1;
  while (i < end && lines[i] !== '') i++; // armor headers (Version: ...) end at a blank line
  const body = lines.slice(i + 1, end).filter((l) => !l.startsWith('='));
  const data = Buffer.from(body.join(''), 'base64');
  return data.length === 0 ? err('empty PGP public key block') : ok(data);
}

export interface VerifyOptions {
  readonly runProcess: ProcessRunner;
  /** A directory for the temporary files gpgv reads (the text, dearmored inline keys). */
  readonly tmpDir: string;
  /** Keyrings given by the user; they replace the entry's Signed-By and the default. */
  readonly keyrings?: readonly string[];
  readonly signedBy?: SignedBy;
  readonly timeoutMs?: number;
  /** Where good verdicts are remembered for an hour (gpgv-verdicts.ts); without it gpgv runs every time. */
  readonly verdicts?: VerdictStore;
}

/** The verdict key of `data` checked with `keyrings`; undefined when a keyring cannot be read (gpgv will say why). */
async function keyOf(data: Buffer, keyrings: readonly string[], fingerprints: readonly string[] | undefined): Promise<string | undefined> {
  try {
    return verdictKey(data, await Promise.all(keyrings.map((k) => readFile(k))), fingerprints);
  } catch {
    return undefined;
  }
}

/** Verify clear-signed `data` with gpgv; the error is a detail for a bad-signature error. */
export async function verifyClearSigned(data: Buffer, options: VerifyOptions): Promise<Result<GoodSignature[], string>> {
  const shape = checkClearSignedShape(data.toString('utf8'));
  if (!shape.ok) return err(`the file ${shape.error}`);
  const dir = await mkdtemp(join(options.tmpDir, 'gpgv-'));
  try {
    let keyrings: readonly string[] = [DEFAULT_KEYRING];
    let fingerprints: readonly string[] | undefined;
    const signedBy = options.signedBy;
    const binaryKeyring = async (name: string, armored: string, what: string): Promise<Result<string, string>> => {
      const key = dearmor(armored);
      if (!key.ok) return err(`${what}: ${key.error}`);
      const path = join(dir, name);
      await atPath(path, () => writeFile(path, key.value));
      return ok(path);
    };
    if (options.keyrings !== undefined && options.keyrings.length > 0) keyrings = options.keyrings;
    else if (signedBy?.kind === 'keyrings') keyrings = signedBy.paths;
    else if (signedBy?.kind === 'fingerprints') fingerprints = signedBy.fingerprints;
    else if (signedBy?.kind === 'inline-key') {
      const path = await binaryKeyring('inline-key.gpg', signedBy.armored, 'Signed-By inline key');
      if (!path.ok) return path;
      keyrings = [path.value];
    }
    // apt accepts armored keyring files (*.asc); gpgv reads only binary ones.
    const readable: string[] = [];
    for (const [i, keyring] of keyrings.entries()) {
      if (!keyring.endsWith('.asc')) {
        readable.push(keyring);
        continue;
      }
      let armored: string;
      try {
        armored = await readFile(keyring, 'utf8');
      } catch (error: unknown) {
        return err(`cannot read keyring ${keyring}: ${describeError(error)}`);
      }
      const path = await binaryKeyring(`keyring-${i}.gpg`, armored, keyring);
      if (!path.ok) return path;
      readable.push(path.value);
    }
    const store = options.verdicts;
    const key = store === undefined ? undefined : await keyOf(data, readable, fingerprints);
    if (store !== undefined && key !== undefined) {
      const known = await readVerdict(store, key);
      if (known !== undefined) return ok([...known]);
    }
    const file = join(dir, 'signed');
    await atPath(file, () => writeFile(file, data));
    const args = ['--status-fd', '1', ...readable.flatMap((k) => ['--keyring', k]), '--', file];
    const result = await options.runProcess('gpgv', args, options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
    if (result.failure !== undefined) return err(describeProcess('gpgv', result));
    const status = readGpgvStatus(result.stdout.toString('utf8'), fingerprints);
    if (!status.ok) return err(`${status.error} (keyrings: ${keyrings.join(', ')})`);
    if (store !== undefined && key !== undefined) await writeVerdict(store, key, status.value);
    return status;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
