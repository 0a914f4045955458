#!/usr/bin/env bash
# One command from a fresh Debian bookworm machine to a working stubforge:
# host packages, node modules, the build, the Docker engine, the default build environment,
# and then the main job on the embedded default (qemu-stubdom for musl-linux-amd64).
#
#   bash docker/setup.sh               set everything up and run the main job
#   bash docker/setup.sh --no-main-job set up only (what .ci/run uses before the tests)
#
# Idempotent: a second run only does what is missing. Runs as root or with sudo; needs no stdin.
set -euo pipefail
cd "$(dirname "$0")/.."

main_job=yes
for arg in "$@"; do
  case "$arg" in
    --no-main-job) main_job=no ;;
    *) echo "setup: unknown option $arg" >&2; exit 2 ;;
  esac
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
say() { printf 'setup: %s\n' "$*"; }

# Host tools stubforge drives (see docs/getting-started.md for why each is needed).
# The host build tools (meson, cmake, autotools-dev, llvm ...) serve the tests that prove the build
# drivers' specs on the host; builds themselves run in containers. graphviz lays out the plan graph
# of `stubforge report`; chromium is the browser its test drives (playwright-core, no download).
# docker-registry carries build images to other Swarm nodes (docs/distributed.md); iproute2 and
# util-linux (nsenter) let the two-node Swarm test make its worker's namespace and veth pair.
HOST_PACKAGES=(docker.io mmdebstrap musl-tools lintian dose-builddebcheck xz-utils dpkg-dev
  gpgv debian-archive-keyring ca-certificates build-essential debhelper autotools-dev
  autoconf automake libtool meson ninja-build cmake pkgconf llvm gnupg graphviz chromium
  docker-registry iproute2 util-linux)
missing=()
for p in "${HOST_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing host packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
else
  say "host packages present"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing node modules (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
say "building"
npm run --silent build

bash docker/ensure-engine.sh

if [ "$main_job" = yes ]; then
  bash docker/main-job.sh
fi
