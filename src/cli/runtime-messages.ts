// Runtime, build-step and environment failures → one message each, with the exit code
// exitCodeOfRuntimeFailure (exit-codes.ts) chooses. The switch is exhaustive: a new reason does not
// compile until it has a message here.
import { formatLocation } from '../model/location.js';
import { assertNever } from '../model/result.js';
import type { BuildStepError } from '../runtime/build-step.js';
import type { EnvironmentError } from '../runtime/environments.js';
import type { MirrorError } from './env-mirror.js';
import { exitCodeOfRuntimeFailure, type ExitCodeValue } from './exit-codes.js';

export interface RuntimeFailure {
  readonly message: string;
  readonly exitCode: ExitCodeValue;
}

function tail(lines: readonly string[]): string {
  return lines.length === 0 ? '' : `\n${lines.map((l) => `  | ${l}`).join('\n')}`;
}

export function describeRuntimeFailure(error: EnvironmentError | BuildStepError | MirrorError): RuntimeFailure {
  return { message: runtimeMessage(error), exitCode: exitCodeOfRuntimeFailure(error) };
}

function runtimeMessage(error: EnvironmentError | BuildStepError | MirrorError): string {
  switch (error.reason) {
    case 'engine-unavailable':
      return `the container engine does not answer on ${error.socket} (${error.detail}); start it with docker/ensure-engine.sh`;
    case 'engine-error':
      return `container engine: ${error.operation} failed${error.statusCode === undefined ? '' : ` (HTTP ${error.statusCode})`}: ${error.detail}`;
    case 'image-not-found':
      return `image ${error.image} does not exist (create it with \`stubforge env create\`)`;
    case 'image-in-use':
      return `image ${error.ref} is still used: ${error.detail}`;
    case 'root-user-refused':
      return `refusing to run a build step as root (user ${error.user})`;
    case 'image-build-failed':
      return `building ${error.ref} failed (${formatLocation(error.location)}): ${error.detail}${tail(error.logTail)}`;
    case 'interrupted':
      return 'interrupted; running containers were stopped and removed';
    case 'base-failed':
      return `mmdebstrap could not make the ${error.suite} base: ${error.detail}${tail(error.logTail)}`;
    case 'invalid-name':
      return `${formatLocation(error.location)}: "${error.value}" is not a valid ${error.what} name`;
    case 'env-not-found':
      return `no environment ${error.name} (see \`stubforge env list\`)`;
    case 'not-an-environment':
      return `${error.name} is not a stubforge environment (kind: ${error.kind})`;
    case 'env-in-use':
      return `environment ${error.name} is used by running build container(s) ${error.containers.map((c) => c.slice(0, 12)).join(', ')}`;
    case 'step-failed':
      return `${error.package}: build step failed with exit status ${error.exitCode}; log: ${error.logFile}${tail(error.logTail)}`;
    case 'timeout':
      return `${error.package}: build step killed after ${Math.round(error.timeoutMs / 1000)} s (timeout); log: ${error.logFile}${tail(error.logTail)}`;
    case 'out-of-memory':
      return `${error.package}: build step killed for exceeding ${Math.round(error.memoryBytes / 1024 ** 2)} MiB of memory; log: ${error.logFile}`;
    case 'killed':
      return `${error.package}: build step killed (exit 137: the memory limit of ${Math.round(error.memoryBytes / 1024 ** 2)} MiB, or a kill inside the step; the node that ran it does not say which); log: ${error.logFile}${tail(error.logTail)}`;
    case 'scratch-exceeded':
      return `${error.package}: build step stopped after filling ${Math.round(error.usedBytes / 1024 ** 2)} MiB of scratch space (limit ${Math.round(error.scratchBytes / 1024 ** 2)} MiB, --scratch-limit); log: ${error.logFile}`;
    case 'output-exists':
      return `output ${error.outputDir} already exists; not overwriting a previous result`;
    case 'io-error':
      return `${error.path}: ${error.detail}`;
    case 'no-mirror':
      return `no apt entry lists suite ${error.suite} (read ${error.files.join(', ') || 'no files'}); pass --mirror URL`;
    case 'bad-config':
      return `${formatLocation(error.location)}: ${error.message}`;
    default:
      return assertNever(error, 'runtime failure');
  }
}
