// What a person watching a build sees: on a terminal, a small block redrawn in place (done/total,
// elapsed, which packages run and for how long); elsewhere (CI logs, pipes), one plain line per
// event, since cursor movement would only garble a file. The formatting is pure and tested; the
// view only decides when to write.

export interface ProgressState {
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  readonly startedAtMs: number;
  /** Package name → when its step started. */
  readonly running: ReadonlyMap<string, number>;
}

export type ProgressEvent =
  | { readonly kind: 'start'; readonly pkg: string }
  | { readonly kind: 'done'; readonly pkg: string; readonly durationMs: number; readonly cached?: boolean }
  | { readonly kind: 'failed'; readonly pkg: string; readonly durationMs: number; readonly reason: string };

/** `4.5s`, `2m05s`, `1h02m`: short, and fixed-format enough to scan down a column. */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, ms) / 1000;
  if (totalSeconds < 60) return `${totalSeconds.toFixed(1)}s`;
  const s = Math.floor(totalSeconds);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function counter(state: ProgressState): string {
  const width = String(state.total).length;
  return `[${String(state.done + state.failed).padStart(width)}/${state.total}]`;
}

/** The block drawn on a terminal; each line cut to `columns`. */
export function formatProgressBlock(state: ProgressState, nowMs: number, columns = 80): string[] {
  const failed = state.failed === 0 ? '' : `, ${state.failed} failed`;
  const head = `${counter(state)} ${state.done} done${failed}, ${state.running.size} running, ${formatDuration(nowMs - state.startedAtMs)} elapsed`;
  const rows = [...state.running.entries()]
    .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
    .map(([pkg, since]) => `  building ${pkg} (${formatDuration(nowMs - since)})`);
  return [head, ...rows].map((line) => (line.length > columns ? `${line.slice(0, Math.max(0, columns - 1))}…` : line));
}

/** One line for a log that is not a terminal. `state` is the state after the event. */
export function formatProgressEvent(event: ProgressEvent, state: ProgressState): string {
  switch (event.kind) {
    case 'start':
      return `${counter(state)} ${event.pkg}: started`;
    case 'done':
      return `${counter(state)} ${event.pkg}: ${event.cached === true ? 'cached' : `done in ${formatDuration(event.durationMs)}`}`;
    case 'failed':
      return `${counter(state)} ${event.pkg}: FAILED (${event.reason}) after ${formatDuration(event.durationMs)}`;
  }
}

/** Cursor control for the in-place redraw: up n lines, then clear to the end of the screen. */
export function redrawPrefix(previousLines: number): string {
  return previousLines === 0 ? '' : `\x1b[${previousLines}A\r\x1b[J`;
}

export interface ProgressViewOptions {
  readonly out: NodeJS.WritableStream;
  readonly isTTY: boolean;
  readonly total: number;
  readonly columns?: number;
  readonly now?: () => number;
  /** Redraw period on a terminal, so elapsed times move while nothing else happens. */
  readonly intervalMs?: number;
}

export class ProgressView {
  private done = 0;
  private failed = 0;
  private readonly running = new Map<string, number>();
  private readonly startedAtMs: number;
  private drawnLines = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly options: ProgressViewOptions) {
    this.now = options.now ?? (() => Date.now());
    this.startedAtMs = this.now();
    if (options.isTTY) {
      this.timer = setInterval(() => { this.draw(); }, options.intervalMs ?? 1000);
      this.timer.unref();
    }
  }

  state(): ProgressState {
    return { total: this.options.total, done: this.done, failed: this.failed, startedAtMs: this.startedAtMs, running: new Map(this.running) };
  }

  start(pkg: string): void {
    this.running.set(pkg, this.now());
    this.emit({ kind: 'start', pkg });
  }

  finish(pkg: string, result: { readonly ok: true; readonly cached?: boolean } | { readonly ok: false; readonly reason: string }): void {
    const since = this.running.get(pkg) ?? this.now();
    this.running.delete(pkg);
    const durationMs = this.now() - since;
    if (result.ok) {
      this.done += 1;
      this.emit(result.cached === true ? { kind: 'done', pkg, durationMs, cached: true } : { kind: 'done', pkg, durationMs });
    } else {
      this.failed += 1;
      this.emit({ kind: 'failed', pkg, durationMs, reason: result.reason });
    }
  }

  /** Stops redrawing; on a terminal leaves the final block in place. */
  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.options.isTTY) this.draw();
  }

  private emit(event: ProgressEvent): void {
    if (this.options.isTTY) {
      // Failures stay visible above the block; the block itself is redrawn below them.
      if (event.kind === 'failed') this.printAbove(formatProgressEvent(event, this.state()));
      this.draw();
    } else {
      this.options.out.write(`${formatProgressEvent(event, this.state())}\n`);
    }
  }

  private printAbove(line: string): void {
    this.options.out.write(`${redrawPrefix(this.drawnLines)}${line}\n`);
    this.drawnLines = 0;
  }

  private draw(): void {
    const lines = formatProgressBlock(this.state(), this.now(), this.options.columns ?? 80);
    this.options.out.write(`${redrawPrefix(this.drawnLines)}${lines.join('\n')}\n`);
    this.drawnLines = lines.length;
  }
}
