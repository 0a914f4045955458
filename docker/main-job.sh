#!/usr/bin/env bash
# The main job on the embedded default: what `docker/setup.sh` runs last. It builds the QEMU Xen
# device model for the stub domain on musl-linux-amd64 — the library closure, then the
# application — and ends by printing where the .deb is and what it embeds (docs/application-deb.md).
# --suite bookworm and --allow-orig-only pixman are explicit choices about this mirror's gaps
# (the bookworm-security .dsc of pcre2 and xen, pixman's diff.gz): docs/building.md.
# Set DEBFULLNAME and DEBEMAIL (as for dch) to name yourself as the packages' maintainer; without
# them each package keeps its source's Maintainer (QEMU's team for the .deb), as a binNMU does.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${STUBFORGE_TARGET:-qemu-stubdom}
ARCH=${STUBFORGE_ARCH:-musl-linux-amd64}
exec node bin/stubforge.js build "$TARGET" --arch "$ARCH" --suite bookworm --allow-orig-only pixman
