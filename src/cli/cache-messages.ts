// Build-cache and output-repository failures (cache/apt-repo.ts, output-repo.ts, their lock and signing) → one message each, the text a user has
// always seen. The switches are exhaustive: a new reason in cache/ does not compile until it has a
// message here. The file concerned is the error's `location`; callers that print it first add it.
import type { RepoError } from '../cache/apt-repo.js';
import type { EmbedsProblem, QueryError } from '../cache/embeds-query.js';
import type { EmbedsReadError } from '../cache/embeds-reader.js';
import type { ProvenanceProblem } from '../cache/provenance.js';
import type { StoreError } from '../cache/store.js';
import type { LockError } from '../cache/lock.js';
import type { OutputRepoError } from '../cache/output-repo.js';
import type { SignError } from '../cache/output-repo-sign.js';
import { assertNever } from '../model/result.js';
import { describeDebReadError } from './deb-messages.js';

/** A lower layer's own account (`detail`), or what the system said of a file or lock file. */
function ioMessage(e: { readonly location: { readonly file: string } } & ({ readonly detail: string } | { readonly of: 'file' | 'lock'; readonly failure: string })): string {
  if (!('of' in e)) return e.detail;
  return e.of === 'lock' ? `lock ${e.location.file}: ${e.failure}` : `${e.location.file}: ${e.failure}`;
}

export function describeLockError(e: LockError): string {
  switch (e.reason) {
    case 'lock-timeout': {
      const h = e.holder;
      return `timed out waiting for ${e.location.file}${h === undefined ? '' : ` held by pid ${h.pid} on ${h.host} since ${h.since}`}`;
    }
    case 'io-error':
      return `lock ${e.location.file}: ${e.detail}`;
    default:
      return assertNever(e, 'lock error');
  }
}

export function describeRepoError(e: RepoError): string {
  switch (e.reason) {
    case 'invalid-key':
      return e.detail;
    case 'io-error':
      return ioMessage(e);
    case 'not-a-deb':
      return 'error' in e ? describeDebReadError(e.error) : e.detail;
    case 'provenance-mismatch':
      return `${e.deb}: ${e.detail ?? 'no provenance'}`;
    case 'duplicate-package':
      return `${e.deb}: ${e.package} is given twice for ${e.key}`;
    case 'version-exists':
      return `${e.package} ${e.version} (${e.architecture}): ${e.deb} (key ${e.key}) differs from ` +
        `${e.published}, already published under that version; one package version is one .deb — rebuild it with a new version`;
    case 'corrupt-entry':
      return e.detail ?? `${e.key} is neither publishable nor published`;
    case 'lock-timeout':
      return describeLockError(e);
    case 'index-failed':
      return 'cause' in e
        ? `the index disagrees with the pool (${e.stale.map((f) => `${f.path}: ${f.detail}`).join('; ')}) and could not be regenerated: ${describeRepoError(e.cause)}`
        : e.detail;
    default:
      return assertNever(e, 'repository error');
  }
}

export function describeSignError(e: SignError): string {
  switch (e.reason) {
    case 'gpg-missing':
      return `${e.gpg} is not installed (apt-get install gnupg)`;
    case 'ambiguous-key':
      return `${e.location.file} names ${e.fingerprints.length} secret keys (${e.fingerprints.join(', ')}): give one key id`;
    case 'key-unusable':
    case 'sign-failed':
      if ('problem' in e) return `${e.location.file} holds no secret key`;
      if ('detail' in e) return e.detail;
      return 'failure' in e ? `${e.gpg} ${e.args.join(' ')}: ${e.failure}` : `${e.gpg} ${e.args.join(' ')} exited ${String(e.code)}: ${e.stderr}`;
    default:
      return assertNever(e, 'signing error');
  }
}

export function describeOutputRepoError(e: OutputRepoError): string {
  switch (e.reason) {
    case 'not-a-deb':
      return 'error' in e ? describeDebReadError(e.error) : e.detail;
    case 'version-exists':
      return `${e.package} ${e.version} (${e.architecture}): ${e.deb} differs from ${e.published}, already published under that version: ` +
        'a published version is never replaced';
    case 'lock-timeout':
      return describeLockError(e);
    case 'sign-failed':
      return describeSignError(e.error);
    case 'io-error':
      return ioMessage(e);
    default:
      return assertNever(e, 'output repository error');
  }
}

export function describeEmbedsReadError(e: EmbedsReadError): string {
  const at = e.location.file;
  switch (e.reason) {
    case 'malformed-index':
      return 'xz' in e ? `${at}: ${e.xz}` : e.detail;
    case 'not-a-deb':
      return describeDebReadError(e.error);
    case 'unreadable':
      if ('error' in e) return describeDebReadError(e.error);
      if ('url' in e) return `${e.url}: ${e.fetch}${e.detail === undefined ? '' : `: ${e.detail}`}`;
      return 'listed' in e ? `${at} lists ${e.listed}/Packages, which is not there` : `${at}: ${e.failure}`;
    case 'not-a-repo':
      if (e.problem === 'no-release') return `${at}: ${e.dir} has no InRelease or Release`;
      return e.problem === 'dists-over-http' ? `${at}: a dists/ layout over http needs --suite (its suites cannot be listed)` : `${at}: no Packages, Release or dists/ found`;
    default:
      return assertNever(e, 'provenance read error');
  }
}

/** A provenance field or control paragraph that could not be read (its location is the caller's to add). */
export function describeProvenanceProblem(p: EmbedsProblem | ProvenanceProblem): string {
  switch (p.reason) {
    case 'missing-field':
      return p.of === 'paragraph' ? `paragraph has no ${p.field} field` : `provenance without ${p.field}`;
    case 'invalid-relation':
      return `${p.field}: ${p.detail}`;
    case 'not-exact':
      return `${p.field}: "${p.relation}" does not name an exact version (= ...)`;
    case 'invalid-version':
      return `${p.field} "${p.version}": ${p.detail}`;
    case 'control-unreadable':
      return `${p.package}: control unreadable`;
    case 'invalid-depends':
      return `${p.package}: Depends: ${p.detail}`;
    case 'empty-control':
      return 'empty control';
    case 'malformed-control':
      return p.detail;
    default:
      return assertNever(p, 'provenance problem');
  }
}

export function describeQueryError(e: QueryError): string {
  switch (e.reason) {
    case 'not-one-relation':
      return `"${e.text}" is not one relation "source (op version)"${e.detail === undefined ? '' : `: ${e.detail}`}`;
    case 'no-source':
      return 'a source package name is needed';
    case 'bad-source-name':
      return `"${e.source}" is not a source package name`;
    case 'bad-operator':
      return `"${e.op}" is not a version operator (${e.operators.join(' ')})`;
    case 'no-version':
      return `"${e.op}" needs a version after it`;
    case 'extra-words':
      return `unexpected "${e.extra.join(' ')}" after the version`;
    case 'invalid-version':
      return `invalid version "${e.version}": ${e.detail}`;
    default:
      return assertNever(e, 'query error');
  }
}

export function describeStoreError(e: StoreError): string {
  switch (e.reason) {
    case 'invalid-key':
      return e.detail;
    case 'invalid-name':
      return `store name ${JSON.stringify(e.name)} must be a plain file name`;
    case 'io-error':
      return `${e.location.file}: ${e.failure}`;
    default:
      return assertNever(e, 'store error');
  }
}
