#!/usr/bin/env bash
# Make sure a Docker engine answers on the local socket; start one from Debian's docker.io if not.
#
# No container registry is reachable from the machines stubforge runs on, so the engine only ever
# imports images made by mmdebstrap (docs/environments.md). This script is idempotent and
# non-interactive: it runs as root with CI=true and no stdin, and says what it did on stdout.
#
# Exit status: 0 when the engine answers, 1 when it could not be made to answer (the reason and
# the tail of the engine log go to stderr).
set -euo pipefail

SOCKET_PATH=${STUBFORGE_DOCKER_SOCKET:-/var/run/docker.sock}
LOG_FILE=${STUBFORGE_DOCKERD_LOG:-/var/log/stubforge-dockerd.log}
WAIT_SECONDS=${STUBFORGE_DOCKERD_WAIT:-60}
LOCK_FILE=/run/stubforge-ensure-docker.lock

export DEBIAN_FRONTEND=noninteractive

say() { printf 'ensure-docker: %s\n' "$*"; }
fail() { printf 'ensure-docker: %s\n' "$*" >&2; exit 1; }

# Debian's client first: /usr/local/bin/docker on these machines is a client without an engine.
docker_client() {
  if [ -x /usr/bin/docker ]; then echo /usr/bin/docker; else command -v docker || true; fi
}

# The engine answers when the client gets a server version back over our socket.
engine_answers() {
  local client
  client=$(docker_client)
  [ -n "$client" ] || return 1
  timeout 10 "$client" -H "unix://$SOCKET_PATH" version --format '{{.Server.Version}}' >/dev/null 2>&1
}

server_version() {
  "$(docker_client)" -H "unix://$SOCKET_PATH" version --format '{{.Server.Version}}' 2>/dev/null
}

if engine_answers; then
  say "engine already answering on $SOCKET_PATH (server $(server_version))"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || fail "engine not answering on $SOCKET_PATH and not root: cannot install or start dockerd"

# Several sessions (or test files) may call this at once: one installs and starts, the others wait.
exec 9>"$LOCK_FILE"
flock -w $((WAIT_SECONDS + 300)) 9 || fail "timed out waiting for another ensure-docker run"

if engine_answers; then
  say "engine started by a concurrent run, answering on $SOCKET_PATH (server $(server_version))"
  exit 0
fi

if [ ! -x /usr/sbin/dockerd ]; then
  say "installing Debian's docker.io"
  if ! apt-get install -y -q docker.io </dev/null; then
    say "package unknown or index stale: running apt-get update"
    apt-get update -q </dev/null
    apt-get install -y -q docker.io </dev/null
  fi
  say "installed docker.io"
fi

# A dockerd that is running but not answering (still starting, or wedged): give it the wait period
# before starting another one against the same data root.
if pgrep -x dockerd >/dev/null 2>&1; then
  say "dockerd is running but not answering yet: waiting up to ${WAIT_SECONDS}s"
else
  # The engine runs inside a container here: nftables-backed iptables may be refused. Try with
  # iptables first (bridge NAT lets `network: default` containers reach the mirror while
  # building images); fall back to --iptables=false when the engine cannot set its rules up.
  args=(--host "unix://$SOCKET_PATH")
  if ! iptables -t nat -L -n >/dev/null 2>&1; then
    if [ -x /usr/sbin/iptables-legacy ] && iptables-legacy -t nat -L -n >/dev/null 2>&1; then
      update-alternatives --set iptables /usr/sbin/iptables-legacy >/dev/null
      say "nftables refused, switched iptables to the legacy backend"
    else
      args+=(--iptables=false)
      say "iptables unusable here: starting dockerd with --iptables=false"
    fi
  fi
  mkdir -p "$(dirname "$LOG_FILE")"
  say "starting dockerd ${args[*]} (log: $LOG_FILE)"
  # setsid + nohup: the engine must outlive this script, the test runner and the CI step.
  setsid nohup /usr/sbin/dockerd "${args[@]}" >>"$LOG_FILE" 2>&1 </dev/null &
fi

for _ in $(seq 1 "$WAIT_SECONDS"); do
  if engine_answers; then
    say "engine answering on $SOCKET_PATH (server $(server_version))"
    exit 0
  fi
  sleep 1
done

printf 'ensure-docker: engine did not answer within %ss; last lines of %s:\n' "$WAIT_SECONDS" "$LOG_FILE" >&2
tail -n 20 "$LOG_FILE" >&2 || true
exit 1
