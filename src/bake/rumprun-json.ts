// The rumprun launch configuration as the guest reads it (pure). Keys per docs/rumprun.md: `cmdline`
// (or `rc`), `env` (a list of NAME=value), `hostname`, `net`, `blk`. The text is written for the
// parser in rumprun's lib/librumprun_base/config.c (rumprun master 2020-05), whose behaviour fixes
// the wire form:
// - it walks jsmn tokens and hands each value to a handler by key; `env`, `blk` (and `net`) take
//   ONE string or object each, so a list is written as the key repeated per element — what
//   rumprun's own launcher (app-tools/rumprun) writes; an array under `env` is a fatal
//   "unexpected type" at boot;
// - the multi-program key is spelled `rc_TESTING` in that code (rumprun's own configuration page, doc/config, says `rc`; the
//   parser stops with "no match for key" on `rc`);
// - jsmn does not unescape strings: the guest gets the raw bytes between the quotes. Values other
//   than `cmdline` must therefore hold no `"`, `\` or control characters. `cmdline` is split by
//   rumprun_parseargs, which takes `\x` as a literal x and '...' as quoting, so an argument can
//   carry spaces ('a b'), `"` (\") and `\` (\\) — but never `'`, whose escape \' jsmn rejects;
// - a hw guest looks for `_RUMPRUN_ROOTFSCFG=` anywhere in its command line: no value may hold it.
import { err, ok, type Result } from '../model/result.js';

export interface RumprunRcEntry {
  readonly bin: string;
  readonly argv: readonly string[];
  /** `&` background, `|` pipe into the next; foreground when absent. */
  readonly runmode?: '&' | '|';
}

export interface RumprunNet {
  readonly if: string;
  readonly cloner?: boolean;
  readonly type: 'inet' | 'inet6';
  readonly method: 'dhcp' | 'static' | 'auto';
  readonly addr?: string;
  readonly mask?: string;
  readonly gw?: string;
}

export interface RumprunBlk {
  readonly source: 'dev' | 'vnd' | 'etfs';
  readonly path: string;
  readonly fstype: string;
  readonly mountpoint: string;
}

/** The configuration as a value, keys as docs/rumprun.md names them. */
export interface RumprunConfig {
  /** One program: its argv, argv[0] included. */
  readonly cmdline?: readonly string[];
  /** Several baked programs, in bake order. */
  readonly rc?: readonly RumprunRcEntry[];
  readonly env: readonly string[];
  readonly hostname?: string;
  readonly net?: RumprunNet;
  readonly blk: readonly RumprunBlk[];
}

export type RumprunJsonError =
  | { readonly reason: 'unrepresentable-value'; readonly key: string; readonly value: string; readonly detail: string }
  | { readonly reason: 'invalid-config'; readonly detail: string };

/** Control characters: raw in a jsmn string, and a kernel command line ends at some of them. */
const CONTROL = {
  test(s: string): boolean {
    for (let i = 0; i < s.length; i++) {
      const code = s.charCodeAt(i);
      if (code < 0x20 || code === 0x7f) return true;
    }
    return false;
  },
};
const ROOTFS_MARKER = '_RUMPRUN_ROOTFSCFG=';

function rawValue(key: string, value: string): Result<string, RumprunJsonError> {
  if (value.includes('"') || value.includes('\\')) {
    return err({ reason: 'unrepresentable-value', key, value, detail: 'the guest reads JSON strings without unescaping: no " or \\' });
  }
  if (CONTROL.test(value)) return err({ reason: 'unrepresentable-value', key, value, detail: 'no control characters' });
  if (value.includes(ROOTFS_MARKER)) return err({ reason: 'unrepresentable-value', key, value, detail: `${ROOTFS_MARKER} redirects a hw guest's configuration` });
  return ok(`"${value}"`);
}

// `${NAME}` stays readable (unquoted) for whoever fills launch-time values in.
const PLAIN_ARG = /^[A-Za-z0-9_@%+=:,./${}-]+$/;

/** One argument as rumprun_parseargs reads it, already valid inside a jsmn string. */
export function encodeCmdlineArg(arg: string): Result<string, RumprunJsonError> {
  if (arg.includes(ROOTFS_MARKER)) return err({ reason: 'unrepresentable-value', key: 'cmdline', value: arg, detail: `${ROOTFS_MARKER} redirects a hw guest's configuration` });
  if (PLAIN_ARG.test(arg)) return ok(arg);
  if (arg.includes("'")) return err({ reason: 'unrepresentable-value', key: 'cmdline', value: arg, detail: "' cannot be passed: its escape \\' is invalid JSON and jsmn rejects it" });
  if (CONTROL.test(arg)) return err({ reason: 'unrepresentable-value', key: 'cmdline', value: arg, detail: 'no control characters' });
  const escaped = arg.replace(/[\\"]/g, (c) => `\\${c}`);
  return ok(`'${escaped}'`);
}

function renderCmdline(argv: readonly string[]): Result<string, RumprunJsonError> {
  const parts: string[] = [];
  for (const arg of argv) {
    const encoded = encodeCmdlineArg(arg);
    if (!encoded.ok) return encoded;
    parts.push(encoded.value);
  }
  return ok(`"${parts.join(' ')}"`);
}

function renderObject(key: string, fields: readonly (readonly [string, string | undefined])[]): Result<string, RumprunJsonError> {
  const members: string[] = [];
  for (const [name, value] of fields) {
    if (value === undefined) continue;
    const v = rawValue(`${key}.${name}`, value);
    if (!v.ok) return v;
    members.push(`"${name}":${v.value}`);
  }
  return ok(`{${members.join(',')}}`);
}

function renderRc(entry: RumprunRcEntry): Result<string, RumprunJsonError> {
  const bin = rawValue('rc.bin', entry.bin);
  if (!bin.ok) return bin;
  const argv: string[] = [];
  for (const a of entry.argv) {
    const v = rawValue('rc.argv', a);
    if (!v.ok) return v;
    argv.push(v.value);
  }
  const runmode = entry.runmode === undefined ? '' : `,"runmode":"${entry.runmode}"`;
  return ok(`{"bin":${bin.value},"argv":[${argv.join(',')}]${runmode}}`);
}

/** The configuration as the guest's parser wants it: compact (it shares the kernel command line). */
export function renderRumprunConfig(config: RumprunConfig): Result<string, RumprunJsonError> {
  if ((config.cmdline === undefined) === (config.rc === undefined)) {
    return err({ reason: 'invalid-config', detail: 'exactly one of cmdline and rc' });
  }
  const members: string[] = [];
  if (config.cmdline !== undefined) {
    if (config.cmdline.length === 0) return err({ reason: 'invalid-config', detail: 'cmdline needs argv[0]' });
    const cmdline = renderCmdline(config.cmdline);
    if (!cmdline.ok) return cmdline;
    members.push(`"cmdline":${cmdline.value}`);
  }
  if (config.rc !== undefined) {
    if (config.rc.length === 0) return err({ reason: 'invalid-config', detail: 'rc needs at least one program' });
    if (config.rc[config.rc.length - 1]?.runmode === '|') return err({ reason: 'invalid-config', detail: 'the last program may not pipe (rumprun_config: last bin may not output to pipe)' });
    const entries: string[] = [];
    for (const entry of config.rc) {
      const r = renderRc(entry);
      if (!r.ok) return r;
      entries.push(r.value);
    }
    members.push(`"rc_TESTING":[${entries.join(',')}]`);
  }
  for (const entry of config.env) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(entry)) return err({ reason: 'invalid-config', detail: `env entry "${entry}" is not NAME=value` });
    const v = rawValue('env', entry);
    if (!v.ok) return v;
    members.push(`"env":${v.value}`);
  }
  if (config.hostname !== undefined) {
    const v = rawValue('hostname', config.hostname);
    if (!v.ok) return v;
    members.push(`"hostname":${v.value}`);
  }
  for (const blk of config.blk) {
    const v = renderObject('blk', [['source', blk.source], ['path', blk.path], ['fstype', blk.fstype], ['mountpoint', blk.mountpoint]]);
    if (!v.ok) return v;
    members.push(`"blk":${v.value}`);
  }
  if (config.net !== undefined) {
    const n = config.net;
    const v = renderObject('net', [['if', n.if], ['cloner', n.cloner === true ? 'true' : undefined], ['type', n.type],
      ['method', n.method], ['addr', n.addr], ['mask', n.mask], ['gw', n.gw]]);
    if (!v.ok) return v;
    members.push(`"net":${v.value}`);
  }
  return ok(`{${members.join(',')}}`);
}

/** rumprun's hw platform: BMK_MULTIBOOT_CMDLINE_SIZE (platform/hw/include/hw/kernel.h). */
export const HW_CMDLINE_BUFFER = 4096;
/** Xen's XENSTORE_PAYLOAD_MAX: one write message carries the key, a NUL and the value. */
export const XENSTORE_PAYLOAD_MAX = 4096;
/** The longest xenstore key the config goes to: domain ids are below 32752 (five digits). */
const XENSTORE_KEY_BYTES = '/local/domain/32751/rumprun/cfg'.length;

export type RumprunDelivery =
  /** hw: `qemu -append '<json>'` (QEMU's multiboot loader prepends the kernel file name and a space). */
  | { readonly kind: 'kernel-cmdline'; readonly bytes: number; readonly limit: number }
  /** hw: the config as the first multiboot module, `qemu -initrd cfg.json`. */
  | { readonly kind: 'multiboot-module'; readonly bytes: number; readonly limit: number; readonly why: string }
  /** xen: written to xenstore `/local/domain/<domid>/rumprun/cfg` before the domain is unpaused. */
  | { readonly kind: 'xenstore'; readonly key: string; readonly bytes: number; readonly limit: number };

export interface DeliveryError {
  readonly reason: 'config-too-large';
  readonly bytes: number;
  readonly limit: number;
  readonly detail: string;
}

/**
 * How the configuration reaches the guest, or why it cannot. hw: platform/hw/multiboot.c halts on
 * a command line of 4096 bytes or more, and on a module of 4095 or more (it copies either into the
 * same 4096-byte buffer); the module route only wins back the kernel path QEMU puts in front.
 */
export function rumprunDelivery(json: string, platform: 'hw' | 'xen', kernelPath?: string): Result<RumprunDelivery, DeliveryError> {
  const bytes = new TextEncoder().encode(json).length;
  if (platform === 'xen') {
    const limit = XENSTORE_PAYLOAD_MAX - XENSTORE_KEY_BYTES - 1;
    if (bytes > limit) return err({ reason: 'config-too-large', bytes, limit, detail: 'a xenstore write carries at most 4096 bytes of key and value: move files into the image' });
    return ok({ kind: 'xenstore', key: '/local/domain/${DOMID}/rumprun/cfg', bytes, limit });
  }
  const prefix = kernelPath === undefined ? 0 : new TextEncoder().encode(kernelPath).length + 1;
  const cmdlineLimit = HW_CMDLINE_BUFFER - 1 - prefix;
  if (bytes <= cmdlineLimit) return ok({ kind: 'kernel-cmdline', bytes, limit: cmdlineLimit });
  const moduleLimit = HW_CMDLINE_BUFFER - 2;
  if (bytes <= moduleLimit) {
    return ok({ kind: 'multiboot-module', bytes, limit: moduleLimit, why: `the command line would be ${String(bytes + prefix)} bytes with the kernel path; the guest's buffer holds ${String(HW_CMDLINE_BUFFER - 1)}` });
  }
  return err({ reason: 'config-too-large', bytes, limit: moduleLimit, detail: 'neither the kernel command line nor a multiboot module can carry it: put configuration files in the filesystem image instead of the environment' });
}

export function describeRumprunJsonError(error: RumprunJsonError | DeliveryError): string {
  switch (error.reason) {
    case 'unrepresentable-value':
      return `${error.key} value ${JSON.stringify(error.value)} cannot be given to a rumprun guest: ${error.detail}`;
    case 'invalid-config':
      return `rumprun configuration: ${error.detail}`;
    case 'config-too-large':
      return `rumprun configuration of ${String(error.bytes)} bytes exceeds ${String(error.limit)}: ${error.detail}`;
  }
}
