// What a Swarm build task runs around the step's own command: fetch each read-only input from the
// store by its sha256 (checked before unpacking), run the command, and on success upload the
// output folder as one tarball with its sha256, accepting only the store's acknowledgement of that
// same sha256. Written for bash alone (its /dev/tcp, plain HTTP/1.0) with coreutils and tar, which
// every build environment has: no client program needs to be added to an image, so the image and
// the cache key stay those of a local step. Pure: text in, text out.

/** Exit status of a task whose inputs could not be fetched or whose output was not acknowledged. */
export const TRANSFER_FAILED_EXIT = 70;
/** The store service's port on the build network. */
export const STORE_PORT = 8080;
/** Where the task keeps tarballs on their way (a tmpfs of its own, never part of the output). */
export const TRANSFER_DIR = '/stubforge-transfer';

export interface TaskInput {
  readonly sha256: string;
  /**
   * Absolute path in the task. The unpacked copy keeps the files' modes (a build copies it on
   * and must be able to write that copy) and is the task's own: nothing of it goes back.
   */
  readonly target: string;
}

export interface TaskTransfer {
  readonly storeHost: string;
  readonly inputs: readonly TaskInput[];
  /** The folder uploaded after a successful command, under a one-time token. */
  readonly output?: { readonly target: string; readonly token: string };
}

/** Single-quoted for sh; the values are paths and hex, but quoting keeps any of them inert. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

const FUNCTIONS = String.raw`
fail() { echo "stubforge-swarm: $*" >&2; exit ${TRANSFER_FAILED_EXIT}; }
connect() {
  for _ in $(seq 1 60); do
    if exec 3<>"/dev/tcp/$STORE/${STORE_PORT}"; then return 0; fi 2>/dev/null
    sleep 1
  done
  fail "store $STORE not reachable"
}
status_and_headers() {
  IFS=' ' read -r _ code _ <&3 || fail "no answer from the store"
  while IFS= read -r line <&3; do [ "$line" = $'\r' ] || [ -z "$line" ] && break; done
  printf '%s' "$code"
}
fetch() {
  for try in 1 2 3; do
    connect
    printf 'GET /blob/%s HTTP/1.0\r\n\r\n' "$1" >&3
    code=$(status_and_headers)
    [ "$code" = 200 ] || fail "fetching $1: HTTP $code"
    cat <&3 >"${TRANSFER_DIR}/in.tar"
    exec 3<&-
    if echo "$1  ${TRANSFER_DIR}/in.tar" | sha256sum --check --quiet >/dev/null 2>&1; then break; fi
    [ "$try" -lt 3 ] || fail "input $1 arrived corrupt, three times"
    echo "stubforge-swarm: input $1 arrived corrupt; fetching it again" >&2
  done
  tar -x -f "${TRANSFER_DIR}/in.tar" -C "$2" || fail "unpacking $1"
  rm -f "${TRANSFER_DIR}/in.tar"
}
upload() {
  (cd "$2" && find . -mindepth 1 -maxdepth 1 -printf '%P\0' | tar -c -f "${TRANSFER_DIR}/out.tar" --null -T -) || fail "packing the output"
  sum=$(sha256sum <"${TRANSFER_DIR}/out.tar" | cut -d' ' -f1)
  size=$(stat -c %s "${TRANSFER_DIR}/out.tar")
  for try in 1 2 3; do
    connect
    { printf 'PUT /upload/%s HTTP/1.0\r\nContent-Length: %s\r\nX-Content-Sha256: %s\r\n\r\n' "$1" "$size" "$sum"; cat "${TRANSFER_DIR}/out.tar"; } >&3
    code=$(status_and_headers)
    IFS= read -r ack <&3
    exec 3<&-
    [ "$code" = 200 ] && [ "$ack" = "stored $sum" ] && return 0
    # 422: the store hashed other bytes than were sent (damaged on the way) and kept nothing.
    [ "$code" = 422 ] && [ "$try" -lt 3 ] || fail "output upload not acknowledged (HTTP $code: $ack)"
    echo "stubforge-swarm: the store received other bytes than were sent ($ack); uploading again" >&2
  done
}
`;

/** argv of the task: bash with the transfer around the step's command (passed on as "$@"). */
export function taskCommand(cmd: readonly string[], transfer: TaskTransfer): string[] {
  const lines = [`STORE=${shellQuote(transfer.storeHost)}`, FUNCTIONS];
  for (const input of transfer.inputs) lines.push(`fetch ${input.sha256} ${shellQuote(input.target)}`);
  if (transfer.output === undefined) {
    lines.push('exec "$@"');
  } else {
    // Not exec: the upload follows the command. The init in front (the service's Init) passes a
    // kill on to the whole group, so a timeout still stops the command.
    lines.push('"$@"', 'rc=$?', '[ "$rc" -eq 0 ] || exit "$rc"');
    lines.push(`upload ${transfer.output.token} ${shellQuote(transfer.output.target)}`);
  }
  return ['/bin/bash', '-c', lines.join('\n'), 'stubforge-swarm', ...cmd];
}
