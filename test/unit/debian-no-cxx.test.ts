// The debian driver on an arch without a C++ compiler (musl-linux-amd64): the generated
// `<triplet>-g++` refuses every call and counts it, and the build step says afterwards whether the
// build asked for C++ — run by sh here, with the wrapper first on PATH as in the build. What a real
// package does with it (ncurses leaving its C++ binding out) is measured in bench/library-batch.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stepContext, type StepContext } from '../../src/drivers/environment.js';
import type { DriverInput } from '../../src/drivers/driver.js';
import { cxxRefusingWrapper, noCxxEnv, reportingCxxRefusals } from '../../src/drivers/debian/no-cxx.js';
import { archToolchain } from './drivers-arches.js';

let dir = '';
let ctx: StepContext;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stubforge-no-cxx-'));
  const input: DriverInput = {
    arch: archToolchain('musl-linux-amd64'), source: { name: 'ncurses', version: '6.4-4', dir: join(dir, 'src') },
    buildDir: join(dir, 'build'), prefix: '/usr/x86_64-linux-musl', destDir: join(dir, 'out'),
    depsPrefix: '/usr/x86_64-linux-musl', jobs: 1, options: { system: 'detect' },
  };
  const made = stepContext(input);
  if (!made.ok) throw new Error(JSON.stringify(made.error));
  ctx = made.value;
  const wrapper = cxxRefusingWrapper(ctx, join(dir, 'bin'));
  mkdirSync(dirname(wrapper.path), { recursive: true });
  mkdirSync(ctx.generatedDir, { recursive: true });
  writeFileSync(wrapper.path, wrapper.content);
  chmodSync(wrapper.path, 0o755);
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `build` as the debian driver's build step would, with the wrapper directory first on PATH. */
function step(build: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('sh', ['-e', '-c', reportingCxxRefusals(ctx, build)], {
    env: { ...process.env, ...noCxxEnv(ctx), PATH: `${join(dir, 'bin')}:${process.env['PATH'] ?? ''}` }, encoding: 'utf8', cwd: dir,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('an arch without a C++ compiler, in the debian driver', () => {
  it('names the refusing wrapper in CXX and the arch preprocessor in CXXCPP', () => {
    expect(noCxxEnv(ctx)).toEqual({ CXX: 'x86_64-linux-musl-g++', CXXCPP: 'musl-gcc -E' });
  });

  it('refuses every call of <triplet>-g++, found before the build machine g++, and says why', () => {
    const which = execFileSync('sh', ['-c', 'command -v x86_64-linux-musl-g++'], {
      env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env['PATH'] ?? ''}` }, encoding: 'utf8',
    });
    expect(which.trim()).toBe(join(dir, 'bin', 'x86_64-linux-musl-g++'));
    const run = step('"$CXX" -c conftest.cc');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('stubforge: x86_64-linux-musl-g++: needs a C++ compiler, the arch musl-linux-amd64 has none');
    expect(run.stderr).toContain('stubforge: the build asked for a C++ compiler 1 time(s) (x86_64-linux-musl-g++, refused: musl-linux-amd64 has none) before it failed');
  });

  it('lets a build that treats C++ as optional go on without it, and says so', () => {
    // Like ncurses' configure: "checking if $CXX works... no", then the C part only.
    const run = step('if "$CXX" -c conftest.cc 2>/dev/null; then exit 9; fi; "$CXX" --version 2>/dev/null || true; echo C part built');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('C part built');
    expect(run.stdout).toContain('the build asked for a C++ compiler 2 time(s)');
    expect(run.stdout).toContain('went on without it: its C++ part is optional and left out');
  });

  it('keeps the exit status of a failure that did not involve C++, and adds nothing', () => {
    const run = step('exit 3');
    expect(run.status).toBe(3);
    expect(`${run.stdout}${run.stderr}`).not.toContain('C++');
  });
});
