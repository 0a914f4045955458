// `stubforge show-source` as a user runs it: the built CLI, the real mirror from this machine's
// apt configuration, a fresh cache directory.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { escapeRegExp, openTestArchive } from './archive-versions.js';

const run = promisify(execFile);
const bin = new URL('../../bin/stubforge.js', import.meta.url).pathname;
const home = mkdtempSync(join(tmpdir(), 'stubforge-cli-'));
const env = { ...process.env, STUBFORGE_HOME: home };

async function stubforge(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [bin, ...args], { env, maxBuffer: 1 << 24 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('stubforge show-source', () => {
  it('prints qemu with its version, parsed Build-Depends and checksummed files', async () => {
    const { code, stdout } = await stubforge('show-source', 'qemu');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Source: qemu$/m);
    // The version and files expected are the index's, read now (the archive moves on).
    const { archive } = await openTestArchive(['bookworm', 'bookworm-updates', 'bookworm-security']);
    const qemu = archive.findSource('qemu');
    if (!qemu.ok) throw new Error(JSON.stringify(qemu.error));
    expect(stdout).toMatch(new RegExp(`^Version: ${escapeRegExp(qemu.value.version)}$`, 'm'));
    expect(stdout).toMatch(/^ {2}libxen-dev \[linux-amd64\]$/m);
    expect(stdout).toMatch(/^ {2}libglusterfs-dev \[linux-any\] \| glusterfs-common \[linux-any\]$/m);
    const orig = qemu.value.files.find((f) => /\.orig\.tar\./.test(f.name));
    expect(orig).toBeDefined();
    expect(stdout).toContain(`\n  ${orig?.name ?? ''}  ${orig?.size ?? ''}  sha256:${orig?.sha256 ?? ''}\n`);
  });

  it('prints glib2.0 as JSON with relations a program can read', async () => {
    const { code, stdout } = await stubforge('show-source', 'glib2.0', '--format', 'json');
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as { package: string; relations: Record<string, { name: string }[][]> };
    expect(doc.package).toBe('glib2.0');
    const names = (doc.relations['Build-Depends'] ?? []).flat().map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['libffi-dev', 'libpcre2-dev', 'zlib1g-dev']));
  });

  it('says which source is unknown and exits with the usage code', async () => {
    const { code, stderr } = await stubforge('show-source', 'no-such-source-package');
    expect(code).toBe(2);
    expect(stderr).toContain('no source package "no-such-source-package"');
  });

  it('reads only the suite it is told to', async () => {
    const { code, stdout } = await stubforge('show-source', 'zlib', '--suite', 'bookworm');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Suite: bookworm\/main$/m);
  });
});
