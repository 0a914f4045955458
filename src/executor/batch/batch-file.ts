// The list `stubforge batch` builds (pure parser). One (target, arch) pair a line, with the build
// options that apply to that pair only:
//
//   # comment; blank lines are ignored
//   qemu-stubdom  musl-linux-amd64
//   zlib          musl-linux-amd64  --libraries-only --pin zlib=1:1.2.13.dfsg-1
//
// Words are separated by blanks and have no quoting (no option value holds a blank). A `#` word
// starts a comment to the end of the line. Only the options listed in BATCH_OPTIONS are accepted;
// anything else is an error naming the file and line, never ignored.
import type { SourceLocation } from '../../model/location.js';
import { err, ok, type Result } from '../../model/result.js';

export interface BatchEntry {
  /** `<target>@<arch>`: names the entry in the report and its log file. */
  readonly id: string;
  readonly target: string;
  readonly arch: string;
  /** The options as written, passed on to `stubforge build`. */
  readonly options: readonly string[];
  readonly location: SourceLocation;
}

export interface BatchFileError {
  readonly reason: 'bad-line' | 'unknown-option' | 'missing-value' | 'duplicate-entry' | 'empty-list';
  readonly message: string;
  readonly location: SourceLocation;
}

/** Per-entry build options: `true` takes a value. */
export const BATCH_OPTIONS: ReadonlyMap<string, boolean> = new Map([
  ['--pin', true],
  ['--suite', true],
  ['--allow-orig-only', true],
  ['--timeout', true],
  ['--libraries-only', false],
  ['--keep-going', false],
]);

const NAME_RE = /^[a-z0-9][a-z0-9.+-]+$/;
const ARCH_RE = /^[a-z0-9][a-z0-9-]*$/;

export function parseBatchFile(text: string, file: string): Result<BatchEntry[], BatchFileError[]> {
  const entries: BatchEntry[] = [];
  const errors: BatchFileError[] = [];
  const seen = new Map<string, number>();
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = i + 1;
    const location = { file, line };
    const fail = (reason: BatchFileError['reason'], message: string): void => {
      errors.push({ reason, message, location });
    };
    const words = raw.split(/[ \t]+/).filter((w) => w !== '');
    const comment = words.findIndex((w) => w.startsWith('#'));
    const used = comment < 0 ? words : words.slice(0, comment);
    if (used.length === 0) continue;
    const [target, arch, ...rest] = used;
    if (target === undefined || arch === undefined || arch.startsWith('-')) {
      fail('bad-line', `expected "<target> <arch> [options]", got "${raw.trim()}"`);
      continue;
    }
    if (!NAME_RE.test(target)) {
      fail('bad-line', `"${target}" is not a target name (a recipe or source package name)`);
      continue;
    }
    if (!ARCH_RE.test(arch)) {
      fail('bad-line', `"${arch}" is not an architecture name`);
      continue;
    }
    const options = parseOptions(rest);
    if (!options.ok) {
      fail(options.error.reason, options.error.message);
      continue;
    }
    const id = `${target}@${arch}`;
    const first = seen.get(id);
    if (first !== undefined) {
      fail('duplicate-entry', `${target} for ${arch} is already listed at line ${first}`);
      continue;
    }
    seen.set(id, line);
    entries.push({ id, target, arch, options: options.value, location });
  }
  if (errors.length > 0) return err(errors);
  if (entries.length === 0) return err([{ reason: 'empty-list', message: 'the list names no target', location: { file } }]);
  return ok(entries);
}

function parseOptions(words: readonly string[]): Result<string[], { reason: 'unknown-option' | 'missing-value' | 'bad-line'; message: string }> {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    const [name, inline] = word.includes('=') && word.startsWith('--') ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)] : [word, undefined];
    const takesValue = BATCH_OPTIONS.get(name);
    if (takesValue === undefined) {
      const known = [...BATCH_OPTIONS.keys()].join(', ');
      return err({ reason: word.startsWith('-') ? 'unknown-option' : 'bad-line', message: word.startsWith('-') ? `unknown option ${name} (known: ${known})` : `unexpected "${word}": one target and one arch a line` });
    }
    if (!takesValue) {
      if (inline !== undefined) return err({ reason: 'bad-line', message: `${name} takes no value` });
      out.push(name);
      continue;
    }
    const value = inline ?? words[i + 1];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) {
      return err({ reason: 'missing-value', message: `${name} needs a value` });
    }
    if (inline === undefined) i++;
    out.push(name, value);
  }
  return ok(out);
}
