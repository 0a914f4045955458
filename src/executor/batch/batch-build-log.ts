// What one `stubforge build` did, read back from its log (pure): the build logs a fixed message per
// node event with the node's fields (`{"package":"zlib","key":"…","msg":"node cached"}`, see
// cli/commands/build.ts followEvents), one JSON line each, between plain text lines of its
// progress and summary. A batch runs each target as a child `stubforge build` and reads these
// lines to fill the report; a line that is not JSON is plain output, not a problem.
import type { NodeRecord } from './batch-report.js';

const EVENTS: ReadonlyMap<string, NodeRecord['status'] | 'started'> = new Map([
  ['node cached', 'cached'],
  ['node started', 'started'],
  ['node built', 'built'],
  ['node failed', 'failed'],
  ['node skipped', 'skipped'],
  ['node not built', 'not-built'],
]);

interface EventLine {
  readonly msg?: unknown;
  readonly package?: unknown;
  readonly key?: unknown;
  readonly durationMs?: unknown;
  readonly logFile?: unknown;
}

/** The final state of each node the log reports, in the order the nodes first appear. */
export function nodesOfBuildLog(text: string): NodeRecord[] {
  const nodes = new Map<string, NodeRecord>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let event: EventLine;
    try {
      event = JSON.parse(line) as EventLine;
    } catch {
      continue; // plain output that happens to start with a brace
    }
    const status = typeof event.msg === 'string' ? EVENTS.get(event.msg) : undefined;
    if (status === undefined || typeof event.package !== 'string') continue;
    const before = nodes.get(event.package);
    if (status === 'started') {
      if (before === undefined) nodes.set(event.package, { source: event.package, status: 'unfinished', ...(typeof event.key === 'string' ? { key: event.key } : {}) });
      continue;
    }
    nodes.set(event.package, {
      source: event.package, status,
      ...(typeof event.key === 'string' ? { key: event.key } : before?.key === undefined ? {} : { key: before.key }),
      ...(typeof event.durationMs === 'number' ? { durationMs: event.durationMs } : {}),
      ...(typeof event.logFile === 'string' ? { log: event.logFile } : {}),
    });
  }
  return [...nodes.values()];
}
