import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { describeRuntimeFailure } from '../../src/cli/runtime-messages.js';

const at = { file: '/var/run/docker.sock' };

describe('describeRuntimeFailure', () => {
  it.each([
    [{ reason: 'engine-unavailable', socket: '/s.sock', detail: 'connect ENOENT /s.sock', location: at }, ExitCode.runtime, /does not answer on \/s\.sock.*ensure-engine\.sh/],
    [{ reason: 'interrupted', location: at }, ExitCode.interrupted, /interrupted/],
    [{ reason: 'step-failed', package: 'zlib', exitCode: 2, logFile: '/o.log', logTail: ['make: *** [all] Error 1'], location: at }, ExitCode.failed, /zlib: build step failed with exit status 2; log: \/o\.log\n {2}\| make/],
    [{ reason: 'timeout', package: 'qemu', timeoutMs: 3_600_000, logFile: '/q.log', logTail: [], location: at }, ExitCode.failed, /killed after 3600 s \(timeout\)/],
    [{ reason: 'env-in-use', name: 'stubforge-env:bookworm-x', containers: ['0123456789abcdef'], location: at }, ExitCode.failed, /used by running build container\(s\) 0123456789ab$/],
    [{ reason: 'invalid-name', what: 'package', value: 'a b', location: { file: 'arch/x', line: 3 } }, ExitCode.usage, /^arch\/x:3: "a b" is not a valid package name$/],
    [{ reason: 'base-failed', suite: 'bookworm', detail: 'exit status 1', logTail: ['E: cannot download'], location: { file: 'mmdebstrap' } }, ExitCode.archive, /bookworm base/],
    [{ reason: 'no-mirror', suite: 'trixie', files: ['/etc/apt/sources.list.d/debian.sources'], location: at }, ExitCode.usage, /--mirror URL/],
  ] as const)('turns %j into one message and its exit code', (error, exitCode, message) => {
    const failure = describeRuntimeFailure(error);
    expect(failure.exitCode).toBe(exitCode);
    expect(failure.message).toMatch(message);
  });
});
