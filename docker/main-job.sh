#!/usr/bin/env bash
# The main job on the embedded default: what `docker/setup.sh` runs last. It builds the QEMU Xen
# device model for the stub domain on musl-linux-amd64 — the library closure, then the
# application — and ends by printing where the .deb is and what it embeds (docs/application-deb.md).
#
# It reads the default suites (bookworm, bookworm-updates, bookworm-security), so a security
# upload is built as soon as the mirror serves it. The mirror does not serve every pool file (a
# security upload's .dsc, pixman's diff.gz), and the archive moves on from week to week, so the
# job first asks `stubforge served` which version of each source of the plan the mirror serves
# whole: it prints each choice and its reason, and the options that make it (`--pin SRC=VERSION`
# of the newest version served whole; `--allow-orig-only pixman` only while pixman's Debian part
# is missing). Those options are passed to the build as they are: nothing is chosen silently, and
# the job stops before building when a source has no servable version (docs/building.md, "Mirror
# gaps and explicit choices").
# Set DEBFULLNAME and DEBEMAIL (as for dch) to name yourself as the packages' maintainer; without
# them each package keeps its source's Maintainer (QEMU's team for the .deb), as a binNMU does.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${STUBFORGE_TARGET:-qemu-stubdom}
ARCH=${STUBFORGE_ARCH:-musl-linux-amd64}
choices=$(node bin/stubforge.js served --target "$TARGET" --arch "$ARCH" --allow-orig-only pixman --format args)
CHOICES=()
if [ -n "$choices" ]; then mapfile -t CHOICES <<< "$choices"; fi
echo "main job: stubforge build $TARGET --arch $ARCH ${CHOICES[*]}" >&2
exec node bin/stubforge.js build "$TARGET" --arch "$ARCH" "${CHOICES[@]}"
