import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Label, newRunId, ownerOf, renderLabels } from '../../src/runtime/labels.js';
import { isOwnerAlive, processStartTime } from '../../src/runtime/reaper.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/runtime/${name}`, import.meta.url), 'utf8');

describe('renderLabels', () => {
  const labels = { run: 'r1', package: 'zlib', key: 'abc', kind: 'build' as const };

  it('puts run, package, key, kind and the owner on a container', () => {
    expect(renderLabels(labels, { pid: 42, pidStart: '7', host: 'h' })).toEqual({
      [Label.run]: 'r1', [Label.package]: 'zlib', [Label.key]: 'abc', [Label.kind]: 'build',
      [Label.pid]: '42', [Label.pidStart]: '7', [Label.host]: 'h',
    });
  });

  it('records no owner on an image, which is kept on purpose', () => {
    expect(Object.keys(renderLabels(labels))).toEqual([Label.run, Label.package, Label.key, Label.kind]);
  });

  it('refuses extra labels outside the org.stubforge. prefix', () => {
    expect(() => renderLabels({ ...labels, extra: { 'com.example.x': '1' } })).toThrow(/outside/);
  });

  it('does not let an extra label override the fixed ones', () => {
    expect(renderLabels({ ...labels, extra: { [Label.run]: 'other' } })[Label.run]).toBe('r1');
  });
});

describe('ownerOf', () => {
  it.each([
    [{ [Label.pid]: '42', [Label.host]: 'h' }, { pid: 42, host: 'h' }],
    [{ [Label.pid]: '42', [Label.host]: 'h', [Label.pidStart]: '9' }, { pid: 42, pidStart: '9', host: 'h' }],
    [{ [Label.pid]: '0', [Label.host]: 'h' }, undefined],
    [{ [Label.pid]: '4x', [Label.host]: 'h' }, undefined],
    [{ [Label.pid]: '42' }, undefined],
    [{}, undefined],
  ])('reads %j as owner %j', (labels, owner) => {
    expect(ownerOf(labels)).toEqual(owner);
  });
});

describe('newRunId', () => {
  it('starts with a sortable UTC stamp and carries pid and randomness', () => {
    expect(newRunId(new Date('2026-11-21T12:34:56.789Z'), 4242, 'a1b2c3')).toBe('20261121T123456Z-4242-a1b2c3');
  });
});

describe('processStartTime', () => {
  it.each([
    ['proc-self-stat.txt', '73292'],
    ['proc-stat-paren-name.txt', '73305'],
  ])('reads field 22 of %s', (name, start) => {
    expect(processStartTime(1, () => fixture(name))).toBe(start);
  });

  it('answers undefined for a process that does not exist', () => {
    expect(processStartTime(1, () => { throw Object.assign(new Error('gone'), { code: 'ENOENT' }); })).toBeUndefined();
  });
});

describe('isOwnerAlive', () => {
  const startTimes = new Map([[100, '555']]);
  const startOf = (pid: number): string | undefined => startTimes.get(pid);

  it.each([
    ['the pid runs with the recorded start time', { pid: 100, pidStart: '555', host: 'h' }, true],
    ['the pid runs and no start time was recorded', { pid: 100, host: 'h' }, true],
    ['the pid was reused by a later process', { pid: 100, pidStart: '1', host: 'h' }, false],
    ['no process has the pid', { pid: 101, pidStart: '555', host: 'h' }, false],
    ['the owner is on another host (cannot be checked)', { pid: 101, host: 'other' }, true],
  ])('is %s → %s', (_what, owner, alive) => {
    expect(isOwnerAlive(owner, 'h', startOf)).toBe(alive);
  });
});
