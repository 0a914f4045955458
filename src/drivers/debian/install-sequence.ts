// The install stage of a dh package, as dh itself sequences it. Reading debian/rules as text
// misses its make conditionals: brotli's rules define the pybuild `dh $@` line and their
// override_dh_auto_install only when `nopython` is not a build profile, and a plain `dh $@
// --buildsystem=cmake` otherwise. So the step asks dh: `debian/rules install-arch
// DH_OPTIONS=--no-act` lists the commands of the sequence (override and hook targets included)
// with the rules evaluated by make under the build's own DEB_BUILD_PROFILES, and runs nothing.
// The step then runs that list from the end of the build part through dh_auto_install and the
// packaging's own hooks of dh_install (`execute_before_dh_install`, `override_dh_install`: brotli
// renames its `lib*-static.a` there), not dh_install itself nor what follows: they would fail on
// the shared objects a static-only build does not make. A failure up to dh_auto_install is marked
// for the collect step, which then requires every file the -dev packages list; one in dh_install's
// hooks is only logged (brotli's fails in its dh_install, after the renaming that matters).
import { shQuote } from '../shell.js';

/** Lines of dh's listing that end the build part of the sequence (the install part follows). */
const BUILD_END = String.raw`/^create-stamp / || /dh_auto_test/`;
/** dh_auto_install and its hooks, and the packaging's own hooks of dh_install (not dh_install). */
const INSTALL_PART = String.raw`/^dh_auto_install( |$)/ || /^debian\/rules (execute_(before|after)_dh_auto_install|override_dh_auto_install(-arch|-indep)?|execute_before_dh_install|override_dh_install(-arch|-indep)?)$/`;

/**
 * Shell for the install step of a dh package. `fallback` (the install command read from the rules'
 * text) runs when dh lists no dh_auto_install; a failing command is logged and marked in `marker`,
 * and the collect step then checks that every file the -dev packages list was installed.
 */
export function dhInstallSequenceScript(fallback: string, marker: string): string {
  const failed = (what: string): string =>
    `{ echo "stubforge: ${what} failed; the collect step checks that every file the -dev packages list was installed"; : > ${shQuote(marker)}; }`;
  return [
    `rm -f ${shQuote(marker)}`,
    // dh prints each command of the sequence indented by three spaces.
    // On make's command line, so that rules assigning DH_OPTIONS themselves (db5.3) cannot drop it.
    `stubforge_seq=$(debian/rules install-arch DH_OPTIONS=--no-act | sed -n 's/^   //p') || stubforge_seq=`,
    `stubforge_window=$(printf '%s\\n' "$stubforge_seq" | awk '{ line[NR] = $0 } ${BUILD_END} { start = NR } ${INSTALL_PART} { last = NR } END { if (last) for (i = start + 1; i <= last; i++) print line[i] }')`,
    'if [ -z "$stubforge_window" ]; then',
    '  echo "stubforge: dh --no-act lists no dh_auto_install for install-arch; running the install command read from debian/rules"',
    `  ( ${fallback} ) || ${failed('the install stage')}`,
    'else',
    '  echo "stubforge: the install part of dh\'s install-arch sequence, as dh --no-act lists it:"',
    `  printf '%s\\n' "$stubforge_window" | sed 's/^/    /'`,
    // The options dh passes to every command (-a -O--buildsystem=cmake) reach the commands inside
    // an override target through DH_INTERNAL_OPTIONS, as dh itself passes them.
    `  stubforge_opts=$(printf '%s\\n' "$stubforge_window" | awk '/^dh_/ { $1 = ""; print; exit }')`,
    '  eval "set -- $stubforge_opts"',
    `  stubforge_internal=$(printf '%s\\036' "$@")`,
    "  stubforge_nl='\n'",
    // One command a line, split on newlines only and not globbed (the list is expanded once).
    '  stubforge_ifs=$IFS; IFS=$stubforge_nl; set -f',
    '  for stubforge_cmd in $stubforge_window; do',
    '    IFS=$stubforge_ifs; set +f',
    '    case $stubforge_cmd in',
    // dh_testroot refuses a non-root build without Rules-Requires-Root: no; it only checks.
    '      dh_testroot*) continue ;;',
    // dh_install's own hooks only reshape what is installed, and the dh_install inside them fails
    // as expected on the .so files a static-only build does not make: logged, not marked.
    "      'debian/rules execute_before_dh_install'|'debian/rules override_dh_install'*)",
    `        ( export DH_INTERNAL_OPTIONS="$stubforge_internal" DH_INTERNAL_OVERRIDE=dh_install; eval "$stubforge_cmd" ) || echo "stubforge: $stubforge_cmd failed (dh_install's hook: what it did before failing is kept)" ;;`,
    "      'debian/rules override_'*) stubforge_override=${stubforge_cmd#debian/rules override_}; stubforge_override=${stubforge_override%-arch}",
    `        ( export DH_INTERNAL_OPTIONS="$stubforge_internal" DH_INTERNAL_OVERRIDE="$stubforge_override"; eval "$stubforge_cmd" ) || ${failed('$stubforge_cmd')} ;;`,
    `      'debian/rules '*) ( export DH_INTERNAL_OPTIONS="$stubforge_internal"; eval "$stubforge_cmd" ) || ${failed('$stubforge_cmd')} ;;`,
    `      *) ( eval "$stubforge_cmd" ) || ${failed('$stubforge_cmd')} ;;`,
    '    esac',
    '  done',
    '  IFS=$stubforge_ifs',
    'fi',
  ].join('\n');
}
