#!/usr/bin/env bash
# The main job on the embedded default: what `docker/setup.sh` runs last. It grows with the
# pipeline; today it prepares the default build environment and shows the plan of the default target.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${STUBFORGE_TARGET:-qemu-stubdom}
ARCH=${STUBFORGE_ARCH:-musl-linux-amd64}
node bin/stubforge.js show-source qemu
