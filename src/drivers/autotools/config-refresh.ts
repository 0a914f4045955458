// Refreshing config.sub/config.guess the way debhelper's dh_update_autotools_config does: every
// regular file of that name in the tree, outside dot-directories, whose first ten lines identify it
// as the autoconf script (a `timestamp='YYYY-MM-DD'` line, or the header comment very old copies
// have), is replaced by the arch's copy. Old copies reject new triplets; the arch's copy knows them
// (docs/rumprun.md: 2021+ config.sub accepts x86_64-rumprun-netbsd).
//
// It runs as shell inside the build, after any pre-configure hook (autogen.sh / autoreconf -i may
// install fresh copies of their own), so discovery sees the tree configure will actually use.
import { joinPath, shQuote } from '../shell.js';

/** The test debhelper (and lintian) use, as an extended regular expression for grep -E. */
export const AUTOTOOLS_CONFIG_SIGNATURE =
  `^timestamp=['"][0-9]{4}-[0-9]{2}-[0-9]{2}['"][[:space:]]*$` +
  '|^# Attempt to guess a canonical system name\\.[[:space:]]*$' +
  '|^# Configuration validation subroutine script';

/** Pure form of the same test, over a file's text (used to explain and test the rule). */
export function isAutotoolsConfigScript(text: string): boolean {
  const head = text.split('\n').slice(0, 10);
  return head.some((line) =>
    /^timestamp=['"]\d{4}-\d{2}-\d{2}['"]\s*$/.test(line)
    || line.trimEnd() === '# Attempt to guess a canonical system name.'
    || line.startsWith('# Configuration validation subroutine script'));
}

/** Shell that refreshes every autotools config.sub/config.guess under `srcDir` from `fromDir`. */
export function configRefreshScript(srcDir: string, fromDir: string): string {
  const signature = shQuote(AUTOTOOLS_CONFIG_SIGNATURE);
  return [
    `cd ${shQuote(srcDir)}`,
    'for name in config.guess config.sub; do',
    `  find . -mindepth 1 \\( -type d -name '.*' -prune \\) -o -type f -name "$name" -print |`,
    '  while IFS= read -r file; do',
    `    if head -n 10 "$file" | grep -Eq ${signature}; then`,
    `      cp -f ${shQuote(joinPath(fromDir))}/"$name" "$file"`,
    '      echo "refreshed $file"',
    '    fi',
    '  done',
    'done',
  ].join('\n');
}
