import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineBuffer, LineTail } from '../../src/runtime/line-buffer.js';
import { StepLogFile, renderStepLog } from '../../src/runtime/step-log.js';
import { wrapStepCommand } from '../../src/runtime/build-step.js';

describe('LineBuffer', () => {
  it.each([
    [['a\nb', 'c\n'], ['a', 'bc']],
    [['one\r\ntwo'], ['one', 'two']],
    [['no newline'], ['no newline']],
    [['\n\n'], ['', '']],
  ])('splits chunks %j into lines %j', (chunks, lines) => {
    const seen: string[] = [];
    const buffer = new LineBuffer((l) => seen.push(l));
    for (const c of chunks) buffer.push(c);
    buffer.flush();
    expect(seen).toEqual(lines);
  });

  it('joins a UTF-8 character split across two chunks', () => {
    const bytes = Buffer.from('é\n');
    const seen: string[] = [];
    const buffer = new LineBuffer((l) => seen.push(l));
    buffer.push(bytes.subarray(0, 1));
    buffer.push(bytes.subarray(1));
    expect(seen).toEqual(['é']);
  });
});

describe('LineTail', () => {
  it('keeps the last n lines', () => {
    const tail = new LineTail(2);
    for (const l of ['a', 'b', 'c']) tail.add(l);
    expect(tail.get()).toEqual(['b', 'c']);
  });
});

describe('StepLogFile', () => {
  it('writes start, output and end records as JSON lines and renders them as text', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'steplog-')), 'sub', 'zlib.log');
    const log = StepLogFile.open(path, { clock: () => new Date('2026-11-21T00:00:00Z'), tailSize: 1 });
    log.start({ package: 'zlib', run: 'r', key: 'k', image: 'sha256:x', cmd: ['make'], timeoutMs: 1000 });
    log.line('stdout', 'gcc -c a.c');
    log.line('stderr', 'a.c:1: error');
    log.end({ status: 'failed', exitCode: 2, timedOut: false, durationMs: 12, oomKilled: false });
    log.close();
    log.close();
    const text = readFileSync(path, 'utf8');
    const records = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map((r) => r.msg)).toEqual(['step start', 'output', 'output', 'step end']);
    expect(records[2]).toEqual({ time: '2026-11-21T00:00:00.000Z', msg: 'output', stream: 'stderr', line: 'a.c:1: error' });
    expect(log.tail()).toEqual(['a.c:1: error']);
    const rendered = renderStepLog(text).split('\n');
    expect(rendered[1]).toBe('gcc -c a.c');
    expect(rendered[3]).toMatch(/^--- step end \{"time":.*"status":"failed","exitCode":2/);
  });
});

describe('wrapStepCommand', () => {
  it('copies the read-only source into the build dir, then runs the argv there unchanged', () => {
    expect(wrapStepCommand(['make', 'CC=musl-gcc', 'a b'], true)).toEqual([
      '/bin/sh', '-c', 'cp -R --preserve=mode,timestamps,links /src/. /build/ && cd /build && exec "$@"', 'stubforge-step',
      'make', 'CC=musl-gcc', 'a b',
    ]);
  });

  it('skips the copy when there is no source', () => {
    expect(wrapStepCommand(['true'], false)[2]).toBe('cd /build && exec "$@"');
  });
});
