// Shell text for build steps. Every value that reaches a script goes through shQuote, so a path or
// a recipe argument with a space, quote or `$` stays one word and is never expanded.

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one word for POSIX sh; leaves plain words (paths, `--flag=value`) readable as they are. */
export function shQuote(word: string): string {
  if (SAFE_WORD.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A command line from words, each quoted. */
export function shCommand(words: readonly string[]): string {
  return words.map(shQuote).join(' ');
}

/**
 * A script that writes `content` to `path` verbatim, with a quoted here-document (no expansion).
 * The delimiter is chosen so that no line of the content can end the document early.
 */
export function writeFileScript(path: string, content: string): string {
  const lines = content.split('\n');
  let delimiter = 'STUBFORGE_EOF';
  for (let n = 1; lines.includes(delimiter); n += 1) delimiter = `STUBFORGE_EOF_${n}`;
  const body = content.endsWith('\n') ? content : `${content}\n`;
  return `cat > ${shQuote(path)} <<'${delimiter}'\n${body}${delimiter}`;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isEnvName(name: string): boolean {
  return ENV_NAME.test(name);
}

/** Joins directory parts with single slashes (container paths are POSIX whatever the host). */
export function joinPath(...parts: readonly string[]): string {
  const joined = parts.filter((p) => p !== '').join('/');
  return joined.replace(/\/{2,}/g, '/').replace(/(.)\/$/, '$1');
}
