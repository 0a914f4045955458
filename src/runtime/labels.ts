// Labels on everything stubforge creates in the engine (docs/conventions.md §7): which run made it,
// for which package and cache key, of which kind, and which process owns it, so that the next
// start can remove what a crashed run left behind (reaper.ts) and `env clean` can see what is in
// use. Pure: the caller supplies pid, host and times.

export const LABEL_PREFIX = 'org.stubforge.';

export const Label = {
  run: 'org.stubforge.run',
  package: 'org.stubforge.package',
  key: 'org.stubforge.key',
  kind: 'org.stubforge.kind',
  /** Pid of the owning stubforge process, and the kernel start time of that pid (pid reuse). */
  pid: 'org.stubforge.pid',
  pidStart: 'org.stubforge.pid-start',
  host: 'org.stubforge.host',
  /** Environment labels. */
  env: 'org.stubforge.env',
  suite: 'org.stubforge.suite',
  arch: 'org.stubforge.arch',
  created: 'org.stubforge.created',
  updated: 'org.stubforge.updated',
  packagesHash: 'org.stubforge.packages-hash',
  packages: 'org.stubforge.packages',
  parent: 'org.stubforge.parent',
} as const;

export type ResourceKind = 'build' | 'env' | 'base' | 'env-extra' | 'probe' | 'test' | 'bench';

/** The labels every container and image carries. */
export interface StubforgeLabels {
  readonly run: string;
  readonly package: string;
  readonly key: string;
  readonly kind: ResourceKind;
  /** Anything else, under the `org.stubforge.` prefix (checked by `renderLabels`). */
  readonly extra?: Readonly<Record<string, string>>;
}

/** Who owns a resource: recorded so a later run can tell whether the owner is still alive. */
export interface Owner {
  readonly pid: number;
  /** Kernel start time of the pid (clock ticks since boot), when known; guards against pid reuse. */
  readonly pidStart?: string;
  readonly host: string;
}

/** Labels as the engine takes them. Containers get their owner; images (kept on purpose) do not. */
export function renderLabels(labels: StubforgeLabels, owner?: Owner): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(labels.extra ?? {})) {
    if (!name.startsWith(LABEL_PREFIX)) throw new Error(`label ${name} is outside ${LABEL_PREFIX}`);
    out[name] = value;
  }
  out[Label.run] = labels.run;
  out[Label.package] = labels.package;
  out[Label.key] = labels.key;
  out[Label.kind] = labels.kind;
  if (owner === undefined) return out;
  out[Label.pid] = String(owner.pid);
  if (owner.pidStart !== undefined) out[Label.pidStart] = owner.pidStart;
  out[Label.host] = owner.host;
  return out;
}

/** The owner recorded in a resource's labels, or undefined if it carries none (not ours to reap). */
export function ownerOf(labels: Readonly<Record<string, string>>): Owner | undefined {
  const pidText = labels[Label.pid];
  const host = labels[Label.host];
  if (pidText === undefined || host === undefined || !/^[1-9][0-9]*$/.test(pidText)) return undefined;
  const pidStart = labels[Label.pidStart];
  return pidStart === undefined ? { pid: Number(pidText), host } : { pid: Number(pidText), pidStart, host };
}

/**
 * A run id: sortable by time, unique enough across concurrent processes on one host.
 * `randomHex` is passed in so this stays pure.
 */
export function newRunId(now: Date, pid: number, randomHex: string): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${pid}-${randomHex}`;
}
