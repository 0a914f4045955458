// The collect step of the debian driver (pure: shell text). What the -dev packages would ship —
// their debian/<package>.install lines applied to debian/tmp (then to the source tree, as
// dh_install does), plus anything an override installed into debian/<package>/ — is copied out
// and moved into the cross layout, the way dpkg-cross turns a foreign -dev package into a
// `-cross` one: usr/include → <prefix>/include, usr/lib/<multiarch> → <prefix>/lib, .pc files
// rewritten for the new prefix. Only headers, static archives and .pc files are kept: shared
// objects, programs, documentation and CMake package files (which encode the multiarch layout)
// are left out. Each package's files are listed in <out>/.stubforge-claims/<package>, which the
// executor reads (and removes) to split the files between the -cross packages.
import { shQuote } from '../shell.js';
import { CXX_REFUSALS_FILE } from './no-cxx.js';

export interface CollectScriptInput {
  readonly packages: readonly string[];
  /** Where the packages' files are copied before relocation (scratch). */
  readonly stageDir: string;
  /** `<destDir><prefix>`: where relocated files go. */
  readonly destPrefix: string;
  /** The prefix the .pc files must name, `/usr/<triplet>`. */
  readonly prefix: string;
  /** `<destDir>/.stubforge-claims`. */
  readonly claimsDir: string;
}

/**
 * Written by the install step when the packaging's install stage failed (commonly on a shared
 * object a static-only build does not make): the collect step then fails if any header, archive
 * or .pc file a -dev package lists is missing.
 */
export const INSTALL_FAILED_MARKER = 'install-failed';

/** The name of the folder (directly in the output) listing each package's files. */
export const CLAIMS_DIR_NAME = '.stubforge-claims';

export function collectScript(input: CollectScriptInput): string {
  const stage = shQuote(input.stageDir);
  const dest = shQuote(input.destPrefix);
  const claims = shQuote(input.claimsDir);
  return `ma="$DEB_HOST_MULTIARCH"
stage=${stage}
dest=${dest}
claims=${claims}
rm -rf "$stage"
mkdir -p "$stage" "$dest" "$claims"
# install_line <package> <words of one .install line>: dh_install's rule, sources relative to
# debian/tmp first, then to the source tree; a last word is the destination when there are several.
install_line() {
  pkg=$1; shift
  [ $# -gt 0 ] || return 0
  to=""; n=$#
  if [ $# -gt 1 ]; then eval "to=\\\${$#}"; n=$(($# - 1)); fi
  i=0
  for pattern in "$@"; do
    i=$((i + 1)); [ $i -le $n ] || break
    pattern=\${pattern#/}
    for base in debian/tmp .; do
      matched=no
      for f in $base/$pattern; do
        [ -e "$f" ] || [ -L "$f" ] || continue
        matched=yes
        rel=\${f#"$base"/}; rel=\${rel#debian/tmp/}
        if [ -n "$to" ]; then t="$stage/$pkg/\${to#/}/\${rel##*/}"; else t="$stage/$pkg/$rel"; fi
        mkdir -p "\${t%/*}"
        if [ -d "$f" ] && [ ! -L "$f" ]; then mkdir -p "$t"; cp -a "$f/." "$t/"; else cp -a "$f" "$t"; fi
      done
      [ $matched = no ] || break
    done
    if [ $matched = no ]; then
      case "$pattern" in
        *.so|*.so.*|*.la|*/) ;;
        usr/include*|usr/lib/*|lib/*|usr/share/pkgconfig/*) echo "$pkg: $pattern" >> "$stage/.missing" ;;
      esac
    fi
  done
}
# debhelper (compat 13) expands \${DEB_HOST_MULTIARCH} and the other dpkg-architecture variables
# in its files: ncurses' libncurses-dev.install says usr/lib/\${DEB_HOST_MULTIARCH}/*.a.
expand_vars() {
  awk '{ while (match($0, /\\$\\{DEB_(HOST|BUILD|TARGET)_[A-Z0-9_]+\\}/)) {
    $0 = substr($0, 1, RSTART - 1) ENVIRON[substr($0, RSTART + 2, RLENGTH - 3)] substr($0, RSTART + RLENGTH) } print }'
}
for pkg in ${input.packages.map(shQuote).join(' ')}; do
  mkdir -p "$stage/$pkg"
  list=""
  if [ -x "debian/$pkg.install" ]; then
    # dh-exec files are programs printing the list.
    list=$("./debian/$pkg.install" 2>/dev/null | sed -e 's/[[:space:]]*=>.*//') || list=""
  elif [ -f "debian/$pkg.install" ]; then
    list=$(sed -e 's/#.*//' "debian/$pkg.install" | expand_vars)
  fi
  if [ -n "$list" ]; then
    printf '%s\\n' "$list" | while read -r line; do
      set -f; set -- $line; set +f
      install_line "$pkg" "$@"
    done
  elif [ -d debian/tmp ] && [ ! -f "debian/$pkg.install" ]; then
    # No list: the package takes what was installed (single-binary sources).
    cp -a debian/tmp/. "$stage/$pkg/"
  fi
  # -f: the .install lines may have staged the same read-only file (db5.3's 0444 headers) that the
  # packaging's own dh_install hook also put in debian/<package>.
  if [ -d "debian/$pkg" ]; then cp -af "debian/$pkg/." "$stage/$pkg/"; fi
  : > "$claims/$pkg"
  (cd "$stage/$pkg" && find . \\( -type f -o -type l \\) | sort) | while read -r f; do
    f=\${f#./}
    case "$f" in
      usr/include/"$ma"/*) r=include/\${f#usr/include/"$ma"/} ;;
      usr/include/*) r=include/\${f#usr/include/} ;;
      usr/lib/"$ma"/*) r=lib/\${f#usr/lib/"$ma"/} ;;
      lib/"$ma"/*) r=lib/\${f#lib/"$ma"/} ;;
      usr/lib/*) r=lib/\${f#usr/lib/} ;;
      usr/share/pkgconfig/*) r=share/pkgconfig/\${f#usr/share/pkgconfig/} ;;
      *) continue ;;
    esac
    case "$r" in
      *.so|*.so.*|*.la|lib/cmake/*|lib/*/cmake/*) continue ;;
      include/*|lib/*.a|lib/*/*.a|lib/pkgconfig/*.pc|share/pkgconfig/*.pc|lib/*.h|lib/*/include/*) ;;
      *) continue ;;
    esac
    # A header claimed by two packages goes to the first.
    if [ -e "$dest/$r" ] || [ -L "$dest/$r" ]; then continue; fi
    mkdir -p "$dest/\${r%/*}"
    cp -a "$stage/$pkg/$f" "$dest/$r"
    echo "$r" >> "$claims/$pkg"
    echo "collected $f -> $r ($pkg)"
  done
done
if [ -s "$stage/.missing" ]; then
  echo "stubforge: files the -dev packages list that were not installed:"
  sed -e 's/^/  /' "$stage/.missing"
  if [ -e "$stage/../install-failed" ]; then
    echo "stubforge: the install stage failed and left these out" >&2
    if [ -e "$stage/../${CXX_REFUSALS_FILE}" ]; then
      echo "stubforge: the build also went without C++ (the arch has no C++ compiler): a C++-only file above is missing for that reason" >&2
    fi
    exit 1
  fi
fi
# .pc files: the multiarch library directory is the prefix's lib/, the prefix is ${input.prefix}.
cat > "$stage/.pc.sed" <<'STUBFORGE_PC_SED'
s#/lib/@MA@(/|[[:space:]'"]|$)#/lib\\1#g
s#/include/@MA@(/|[[:space:]'"]|$)#/include\\1#g
s#^(prefix|exec_prefix)([[:space:]]*)=([[:space:]]*)/usr/?[[:space:]]*$#\\1\\2=\\3${input.prefix}#
s#(^|[=[:space:]'"]|-I|-L)/usr/(include|lib)(/|[[:space:]'"]|$)#\\1${input.prefix}/\\2\\3#g
STUBFORGE_PC_SED
sed -i -e "s|@MA@|$ma|g" "$stage/.pc.sed"
for pc in "$dest"/lib/pkgconfig/*.pc "$dest"/share/pkgconfig/*.pc; do
  [ -f "$pc" ] || continue
  sed -E -i -f "$stage/.pc.sed" "$pc"
done
if [ -z "$(find "$dest" -type f \\( -name '*.a' -o -name '*.h' -o -name '*.pc' \\) -print -quit)" ]; then
  echo "stubforge: none of ${input.packages.join(', ')} installed a header, a static library or a .pc file" >&2
  exit 1
fi
`;
}
