import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  ProgressView, formatDuration, formatProgressBlock, formatProgressEvent, redrawPrefix, type ProgressState,
} from '../../src/log/progress.js';

describe('formatDuration', () => {
  it.each([
    [0, '0.0s'], [4_500, '4.5s'], [59_940, '59.9s'], [60_000, '1m00s'], [125_000, '2m05s'],
    [3_599_000, '59m59s'], [3_720_000, '1h02m'], [-5, '0.0s'],
  ])('shows %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

const state = (over: Partial<ProgressState> = {}): ProgressState => ({
  total: 12, done: 3, failed: 0, startedAtMs: 0, running: new Map([['zlib', 10_000], ['glib2.0', 2_000]]), ...over,
});

describe('formatProgressBlock', () => {
  it('shows done/total, running count and elapsed time, then the running packages oldest first', () => {
    expect(formatProgressBlock(state(), 65_000)).toEqual([
      '[ 3/12] 3 done, 2 running, 1m05s elapsed',
      '  building glib2.0 (1m03s)',
      '  building zlib (55.0s)',
    ]);
  });

  it('mentions failures only when there are some', () => {
    expect(formatProgressBlock(state({ failed: 2, running: new Map() }), 1_000)[0]).toBe('[ 5/12] 3 done, 2 failed, 0 running, 1.0s elapsed');
  });

  it('cuts lines to the terminal width', () => {
    const [head] = formatProgressBlock(state(), 65_000, 20);
    expect(head).toBe('[ 3/12] 3 done, 2 r…');
  });
});

describe('formatProgressEvent', () => {
  it.each([
    [{ kind: 'start', pkg: 'zlib' }, '[ 3/12] zlib: started'],
    [{ kind: 'done', pkg: 'zlib', durationMs: 4_500 }, '[ 3/12] zlib: done in 4.5s'],
    [{ kind: 'done', pkg: 'zlib', durationMs: 0, cached: true }, '[ 3/12] zlib: cached'],
    [{ kind: 'failed', pkg: 'pixman', durationMs: 18_000, reason: 'step-failed' }, '[ 3/12] pixman: FAILED (step-failed) after 18.0s'],
  ] as const)('prints %j as a plain line', (event, line) => {
    expect(formatProgressEvent(event, state())).toBe(line);
  });
});

describe('redrawPrefix', () => {
  it.each([[0, ''], [3, '\x1b[3A\r\x1b[J']])('moves up over %d drawn lines and clears them', (n, text) => {
    expect(redrawPrefix(n)).toBe(text);
  });
});

function collect(stream: PassThrough): () => string {
  let text = '';
  stream.on('data', (chunk: Buffer) => { text += chunk.toString(); });
  return () => text;
}

describe('ProgressView', () => {
  it('writes one plain line per event when the output is not a terminal', () => {
    const out = new PassThrough();
    const text = collect(out);
    let now = 0;
    const view = new ProgressView({ out, isTTY: false, total: 2, now: () => now });
    view.start('zlib');
    now = 4_500;
    view.finish('zlib', { ok: true });
    view.start('pixman');
    view.finish('pixman', { ok: false, reason: 'timeout' });
    view.close();
    expect(text()).toBe('[0/2] zlib: started\n[1/2] zlib: done in 4.5s\n[1/2] pixman: started\n[2/2] pixman: FAILED (timeout) after 0.0s\n');
    expect(text()).not.toContain('\x1b');
  });

  it('redraws its block in place on a terminal, keeping failures above it', () => {
    const out = new PassThrough();
    const text = collect(out);
    const view = new ProgressView({ out, isTTY: true, total: 2, now: () => 1_000, intervalMs: 60_000 });
    view.start('zlib');
    view.finish('zlib', { ok: false, reason: 'step-failed' });
    view.close();
    const frames = text();
    // First block: 2 lines; the failure moves up over them, then the block is drawn anew.
    expect(frames).toBe([
      '[0/2] 0 done, 1 running, 0.0s elapsed\n  building zlib (0.0s)\n',
      '\x1b[2A\r\x1b[J[1/2] zlib: FAILED (step-failed) after 0.0s\n',
      '[1/2] 0 done, 1 failed, 0 running, 0.0s elapsed\n',
      '\x1b[1A\r\x1b[J[1/2] 0 done, 1 failed, 0 running, 0.0s elapsed\n',
    ].join(''));
  });
});
