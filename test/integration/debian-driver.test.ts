// Libraries built by their own Debian packaging, with no recipe (--no-shipped-recipes): three real
// sources from the configured mirror, each through `stubforge build` in the real engine, into a
// repository of this test's own. Their -cross packages must pass the static-only check as
// installed, and a small C program linked against all three with musl-gcc -static must run and
// use each (versions checked against the versions the packages were built from).
// Then ncurses, on an arch without a C++ compiler: built without its optional C++ binding.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command } from '../../src/cli/commands/build.js';
import type { CliContext } from '../../src/cli/command.js';
import { silentLogger } from '../../src/log/logger.js';
import { verifyOutput } from '../../src/executor/builders/verify-output.js';
import { ensureEngine } from './runtime-support.js';

const ROOT = join(import.meta.dirname, '../..');
const SHARED_CACHE = join(tmpdir(), 'stubforge-test-cache');
const TRIPLET = 'x86_64-linux-musl';
const ARGS = ['--arch', 'musl-linux-amd64', '--arch-dir', join(ROOT, 'arch'), '--suite', 'bookworm', '--jobs', '2', '--no-shipped-recipes'];

/** The three libraries, the .pc module each installs, and what the probe calls. */
const LIBRARIES = [
  { source: 'libyaml', module: 'yaml-0.1', header: 'yaml.h', version: 'yaml_get_version_string()' },
  { source: 'expat', module: 'expat', header: 'expat.h', version: 'XML_ExpatVersion()' },
  { source: 'jansson', module: 'jansson', header: 'jansson.h', version: 'jansson_version_str()' },
] as const;

const PROBE = `#include <stdio.h>
#include <string.h>
${LIBRARIES.map((l) => `#include <${l.header}>`).join('\n')}

static int elements;
static void XMLCALL start(void *data, const XML_Char *name, const XML_Char **attrs) { (void)data; (void)name; (void)attrs; elements++; }

int main(void) {
  ${LIBRARIES.map((l) => `printf("${l.source} %s\\n", ${l.version});`).join('\n  ')}
  /* expat: parse a document */
  XML_Parser p = XML_ParserCreate(NULL);
  XML_SetStartElementHandler(p, start);
  const char *xml = "<a><b/><c><d/></c></a>";
  if (XML_Parse(p, xml, (int)strlen(xml), 1) != XML_STATUS_OK) return 1;
  XML_ParserFree(p);
  printf("xml elements %d\\n", elements);
  /* libyaml: scan a document */
  yaml_parser_t y; yaml_token_t tok; yaml_token_type_t type; int scalars = 0;
  const char *doc = "a: 1\\nb: [2, 3]\\n";
  yaml_parser_initialize(&y);
  yaml_parser_set_input_string(&y, (const unsigned char *)doc, strlen(doc));
  /* yaml_token_delete clears the token: keep its type for the loop test */
  do { if (!yaml_parser_scan(&y, &tok)) return 2; type = tok.type; if (type == YAML_SCALAR_TOKEN) scalars++; yaml_token_delete(&tok); } while (type != YAML_STREAM_END_TOKEN);
  yaml_parser_delete(&y);
  printf("yaml scalars %d\\n", scalars);
  /* jansson: parse and dump */
  json_error_t e;
  json_t *j = json_loads("{\\"k\\": [1, 2, 3]}", 0, &e);
  if (j == NULL) return 3;
  printf("json array %zu\\n", json_array_size(json_object_get(j, "k")));
  json_decref(j);
  return 0;
}
`;

let home = '';

function collector(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return { stream: new Writable({ write(chunk: Buffer, _e, done) { chunks.push(chunk.toString()); done(); } }), text: () => chunks.join('') };
}

async function build(target: string, args: readonly string[] = ARGS): Promise<{ code: number; out: string }> {
  const out = collector();
  const err = collector();
  const ctx: CliContext = {
    env: { ...process.env, STUBFORGE_HOME: home, STUBFORGE_CACHE: SHARED_CACHE }, cwd: ROOT,
    stdout: out.stream, stderr: err.stream, isTTY: false, log: silentLogger(),
  };
  const code = await command.run([target, ...args], ctx);
  return { code, out: `${out.text()}${err.text()}` };
}

function debs(): string[] {
  const pool = join(home, 'repo', 'pool');
  return readdirSync(pool).flatMap((key) => readdirSync(join(pool, key)).filter((f) => f.endsWith('.deb')).map((f) => join(pool, key, f)));
}

beforeAll(() => {
  ensureEngine();
  home = mkdtempSync(join(tmpdir(), 'stubforge-debian-driver-'));
});

afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

describe('libraries built by their own Debian packaging, no recipe', () => {
  it.each(LIBRARIES.map((l) => l.source))('builds %s for musl-linux-amd64 through debian/rules', async (source) => {
    const run = await build(source);
    expect(run.out, run.out).toMatch(new RegExp(`^ {2}${source} +\\S+ +built`, 'm'));
    expect(run.code).toBe(0);
  }, 3_600_000);

  it('publishes -cross packages that pass the static-only check, and a program linked against all three runs', async () => {
    const root = join(home, 'root');
    const versions = new Map<string, string>();
    for (const deb of debs()) {
      execFileSync('dpkg-deb', ['-x', deb, root]);
      const source = execFileSync('dpkg-deb', ['--field', deb, 'X-Stubforge-Source'], { encoding: 'utf8' }).trim();
      versions.set(source, execFileSync('dpkg-deb', ['--field', deb, 'X-Stubforge-Source-Version'], { encoding: 'utf8' }).trim());
    }
    const checked = await verifyOutput({
      outputDir: root, expect: { elf: { machine: 62, class: 64 }, prefix: `/usr/${TRIPLET}`, buildPaths: ['/build', '/tmp/stubforge-build', '/out'] },
      expectedArtefacts: [],
    });
    expect(checked.ok && checked.value.violations).toEqual([]);
    const files = execFileSync('find', [join(root, 'usr', TRIPLET), '-name', '*.so*'], { encoding: 'utf8' });
    expect(files).toBe('');

    writeFileSync(join(home, 'probe.c'), PROBE);
    const env = { ...process.env, PKG_CONFIG_SYSROOT_DIR: root, PKG_CONFIG_LIBDIR: join(root, 'usr', TRIPLET, 'lib', 'pkgconfig'), PKG_CONFIG_PATH: '' };
    const flags = execFileSync('pkg-config', ['--cflags', '--libs', '--static', ...LIBRARIES.map((l) => l.module)], { env, encoding: 'utf8' }).trim().split(/\s+/);
    execFileSync('musl-gcc', ['-static', '-o', join(home, 'probe'), join(home, 'probe.c'), ...flags], { env });
    const elf = execFileSync('file', [join(home, 'probe')], { encoding: 'utf8' });
    expect(elf).toMatch(/statically linked/);
    const out = execFileSync(join(home, 'probe'), { encoding: 'utf8', timeout: 30_000 });
    for (const l of LIBRARIES) {
      // The upstream part of the Debian version the package was built from: 2.5.0-1+deb12u2 → 2.5.0.
      const upstream = (versions.get(l.source) ?? '?').replace(/^\d+:/, '').replace(/-[^-]*$/, '').replace(/[+~].*$/, '');
      expect(out).toMatch(new RegExp(`^${l.source} \\D*${upstream.replaceAll('.', '\\.')}`, 'm'));
    }
    expect(out).toContain('xml elements 4');
    expect(out).toContain('yaml scalars 5');
    expect(out).toContain('json array 3');
  }, 600_000);

  // musl-linux-amd64 has no C++ compiler; ncurses' C++ binding is optional. Its configure used to
  // fall back to the build machine's g++ (the provenance check refused libncurses++.a). gpm, in its
  // closure, needs stubforge's recipe and --allow-orig-only (the mirror lacks its Debian part).
  it('builds ncurses through its packaging without its C++ binding, the C++ compiler refused', async () => {
    const args = [...ARGS.filter((a) => a !== '--no-shipped-recipes'), '--allow-orig-only', 'gpm'];
    const run = await build('ncurses', args);
    expect(run.out, run.out).toMatch(/^ {2}ncurses +\S+ +built/m);
    expect(run.code).toBe(0);
    const deb = debs().find((f) => /\/libncurses-dev-musl-linux-amd64-cross_[^/]*\.deb$/.test(f));
    if (deb === undefined) throw new Error('no libncurses-dev -cross package');
    const files = execFileSync('dpkg-deb', ['-c', deb], { encoding: 'utf8' });
    expect(files).toContain(`usr/${TRIPLET}/lib/libncursesw.a`);
    expect(files).toContain(`usr/${TRIPLET}/lib/pkgconfig/ncursesw.pc`);
    expect(files).not.toContain('++');
    const logs = join(home, 'state', 'logs');
    const log = readdirSync(logs).map((d) => join(logs, d, 'ncurses.log')).find((f) => existsSync(f));
    expect(log === undefined ? '' : readFileSync(log, 'utf8')).toContain('and went on without it: its C++ part is optional and left out');
  }, 3_600_000);
});
