// A BuildSpec as the one `sh -e` script a build container runs: each step announced by name in the
// log, then run in its own directory with its own environment added to the image's, in a subshell
// so that one step's `cd` or `export` cannot leak into the next. The first failing step ends the
// script with its status. Timestamps at both ends let the executor tell the build's own time from
// the container's start/stop overhead. Pure.
import type { BuildSpec, BuildStep } from '../../drivers/driver.js';
import { shCommand, shQuote } from '../../drivers/shell.js';

export const STEP_MARKER = '==> stubforge step ';
export const SCRIPT_START_MARKER = '==> stubforge script start ';
export const SCRIPT_END_MARKER = '==> stubforge script end ';

function stepText(step: BuildStep, index: number, total: number): string {
  const env = Object.entries(step.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`);
  return [
    `printf '%s\\n' ${shQuote(`${STEP_MARKER}${index + 1}/${total}: ${step.name}`)}`,
    `(${shCommand(['mkdir', '-p', step.cwd])} && cd ${shQuote(step.cwd)} && exec ${shCommand(['env', ...env, 'sh', '-e', '-c', step.run])})`,
  ].join('\n');
}

/** The whole build: `steps` (e.g. applying the recipe's patches) first, then the spec's. */
export function buildScript(spec: BuildSpec, before: readonly BuildStep[] = []): string {
  const steps = [...before, ...spec.steps];
  return [
    'set -e',
    `printf '%s%s\\n' ${shQuote(SCRIPT_START_MARKER)} "$(date +%s%N)"`,
    ...steps.map((s, i) => stepText(s, i, steps.length)),
    `printf '%s%s\\n' ${shQuote(SCRIPT_END_MARKER)} "$(date +%s%N)"`,
    '',
  ].join('\n');
}

export interface ScriptReport {
  /** Name of the last step the script announced (the failing one, if it failed). */
  readonly lastStep?: string;
  /** Time between the script's first and last line, when both were printed. */
  readonly scriptMs?: number;
}

/** What the markers in a build's output say (output lines in order). */
export function readScriptMarkers(lines: readonly string[]): ScriptReport {
  let lastStep: string | undefined;
  let start: bigint | undefined;
  let end: bigint | undefined;
  for (const line of lines) {
    if (line.startsWith(STEP_MARKER)) lastStep = line.slice(STEP_MARKER.length);
    else if (line.startsWith(SCRIPT_START_MARKER)) start = nanos(line.slice(SCRIPT_START_MARKER.length));
    else if (line.startsWith(SCRIPT_END_MARKER)) end = nanos(line.slice(SCRIPT_END_MARKER.length));
  }
  const scriptMs = start !== undefined && end !== undefined && end >= start ? Number((end - start) / 1000n) / 1000 : undefined;
  return { ...(lastStep === undefined ? {} : { lastStep }), ...(scriptMs === undefined ? {} : { scriptMs }) };
}

function nanos(text: string): bigint | undefined {
  return /^\d+$/.test(text.trim()) ? BigInt(text.trim()) : undefined;
}
