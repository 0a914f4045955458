// What a Swarm step's exit 137 is reported as. Swarm's task status has no OOM flag: the engine
// that ran the container has one, and it is read when that engine is the coordinator's own;
// a task on another node is reported as killed, with both possible causes named, never as out
// of memory it may not have been.
import { describe, expect, it } from 'vitest';
import { describeRuntimeFailure } from '../../src/cli/runtime-messages.js';
import { killVerdict } from '../../src/runtime/swarm-step.js';

describe('killVerdict', () => {
  it('takes the OOM flag of the engine that ran the task when it was read', () => {
    expect(killVerdict(137, true)).toEqual({ oomKilled: true });
    expect(killVerdict(137, false)).toEqual({ oomKilled: false });
  });

  it('leaves exit 137 unexplained when no engine flag could be read (a task on another node)', () => {
    expect(killVerdict(137, undefined)).toEqual({ oomKilled: false, unexplainedKill: true });
  });

  it('says nothing of a kill for any other exit status', () => {
    expect(killVerdict(0, undefined)).toEqual({ oomKilled: false });
    expect(killVerdict(1, true)).toEqual({ oomKilled: false });
    expect(killVerdict(139, undefined)).toEqual({ oomKilled: false });
  });
});

describe('the message of an unexplained kill', () => {
  it('names both causes and the memory limit, and does not claim out of memory', () => {
    const failure = describeRuntimeFailure({
      reason: 'killed', memoryBytes: 8 * 1024 ** 3, package: 'glib2.0', logFile: '/state/logs/r/glib2.0.log', logTail: ['cc1: ...'], location: { file: '/state/logs/r/glib2.0.log' },
    });
    expect(failure.message).toContain('glib2.0: build step killed (exit 137: the memory limit of 8192 MiB, or a kill inside the step');
    expect(failure.message).not.toMatch(/out of memory|exceeding/);
    expect(failure.message).toContain('/state/logs/r/glib2.0.log');
  });
});
