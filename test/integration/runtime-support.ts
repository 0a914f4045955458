// Shared by the runtime integration tests: the engine (started through docker/ensure-engine.sh,
// so the tests work whether or not .ci/run started it), the mirror (from the machine's apt
// configuration, never written here) and a small test image made once from an mmdebstrap minbase
// and reused by later runs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironmentMirror } from '../../src/cli/env-mirror.js';
import { DockerRuntime } from '../../src/runtime/docker-runtime.js';
import { Label } from '../../src/runtime/labels.js';
import { runHostCommand } from '../../src/runtime/host-command.js';

export const TEST_IMAGE = 'stubforge-test:bookworm-minbase-gcc';
/** Only what the tests run: a shell, coreutils, bash's /dev/tcp, and gcc for a small compile. */
const TEST_IMAGE_INCLUDE = ['gcc', 'libc6-dev'];

export function ensureEngine(): void {
  const root = new URL('../../', import.meta.url).pathname;
  execFileSync('bash', [join(root, 'docker/ensure-engine.sh')], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, CI: 'true' } });
}

export async function mirror(suite = 'bookworm'): Promise<string> {
  const found = await loadEnvironmentMirror(suite);
  if (!found.ok) throw new Error(`no mirror for ${suite} in the apt configuration: ${found.error.reason}`);
  return found.value.mirror;
}

/** Creates the test image unless it exists; answers its ID. */
export async function ensureTestImage(runtime: DockerRuntime): Promise<string> {
  const existing = await runtime.inspectImage(TEST_IMAGE);
  if (!existing.ok) throw new Error(existing.error.reason);
  if (existing.value !== undefined) return existing.value.digest;
  const dir = mkdtempSync(join(tmpdir(), 'stubforge-test-image-'));
  try {
    const tarPath = join(dir, 'rootfs.tar');
    const argv = ['mmdebstrap', '--variant=minbase', '--format=tar', `--include=${TEST_IMAGE_INCLUDE.join(',')}`, 'bookworm', tarPath, await mirror()];
    const ran = await runHostCommand(argv);
    if (ran.exitCode !== 0) throw new Error(`mmdebstrap failed: ${JSON.stringify(ran)}`);
    const imported = await runtime.importImage({ tarPath, ref: TEST_IMAGE, labels: { [Label.kind]: 'test', [Label.run]: 'test-image', [Label.package]: TEST_IMAGE, [Label.key]: 'test' } });
    if (!imported.ok) throw new Error(imported.error.reason);
    return imported.value.digest;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function containersOfRun(runtime: DockerRuntime, run: string): Promise<readonly string[]> {
  const listed = await runtime.listContainers({ [Label.run]: run });
  if (!listed.ok) throw new Error(listed.error.reason);
  return listed.value.map((c) => c.id);
}
