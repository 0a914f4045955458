// The figure of bench/library-batch.md: how many sources of the library sample
// (bench/library-sample.list) built for musl-linux-amd64 with no recipe, and the class of each
// failure, read from a `stubforge batch` report (and the build logs it names).
//
//   STUBFORGE_HOME=... node bin/stubforge.js batch bench/library-sample.list --report R.json \
//       -- --keep-going --timeout 30 --no-shipped-recipes
//   node bench/library-batch.mjs R.json [label]      # label: what the run allowed (default "no recipe")
//
// A target counts as built when its build succeeded: every node of its closure built or cached.
// A failure's class is read from the first failed node's message (or the target's own error when
// no node ran: no plan); a target skipped because a dependency failed is classed by that
// dependency's failure.
import { existsSync, readFileSync } from 'node:fs';

const reportFile = process.argv[2];
// What the run allowed, for the first line: "no recipe" (--no-shipped-recipes) unless told.
const recipesLabel = process.argv[3] ?? 'no recipe';
if (reportFile === undefined) {
  process.stderr.write('usage: node bench/library-batch.mjs <batch report.json> [label of the recipes used]\n');
  process.exit(2);
}
const report = JSON.parse(readFileSync(reportFile, 'utf8'));

/** Failure classes, first match wins: [class, test over the failure text]. */
const CLASSES = [
  ['no plan: a dependency cycle that no declared build profile breaks', /dependency cycle/],
  ['no plan: a relation unsatisfiable for the partial arch', /no plan for|unsatisfiable|not-for-arch/],
  ['mirror lacks a source file', /the mirror does not serve|missing-file/],
  ["the package's own build system does not know the partial arch", /Usage: Configure|debian-musl-linux-amd64 *;|unknown (host|target|system) type|Invalid configuration .*musl/],
  ['configure needs something the plan left out or dropped', /Could NOT find|No package '[^']+' found|Package '?[^ ]+'? was not found|Dependency "[^"]+" not found/],
  // Not the bare name x86_64-linux-musl-g++: configure prints it ("checking if x86_64-linux-musl-g++
  // works... no") in builds that go on without their optional C++ part and may fail later for
  // another reason; the debian driver's refusing wrapper prints the words matched first.
  ['needs a C++ compiler (musl-tools has none)', /needs a C\+\+ compiler, the arch \S+ has none|C\+\+ compiler (cannot|not available)|no acceptable C\+\+|CXX.*not found|cannot run C\+\+|No CMAKE_CXX_COMPILER|Unknown compiler\(s\): \[\['x86_64-linux-musl-g\+\+|error: C\+\+ preprocessor|g\+\+: not found|unable to find a C\+\+/i],
  ["autoreconf lacks an m4 macro of a -dev package the plan rebuilt as a library (a recipe's Native: fixes it)", /possibly undefined macro/],
  ['cross build runs a target program (no exe wrapper)', /cannot run test program while cross compiling|Exec format error|cannot execute binary file|needs_exe_wrapper|Can not run test applications in this cross environment/],
  // gcc's "'x' undeclared", not configure's "checking ... to detect all undeclared functions".
  ['glibc-only interface missing in musl', /[‘'][^’']+[’'] undeclared|implicit declaration of function|unknown type name|has no member named|No such file or directory\s*$|fatal error: .*\.h: No such file/m],
  ['install stage left out a -dev file', /were not installed|none of .* installed a header/],
  ['static-only check', /static-policy|shared-object|static-only/],
  ['build image (native tools) could not be made', /building stubforge-env:\S+ failed|build image|apt-get install/],
  // Not the command line's `--timeout 30`, which every target log starts with.
  ['timeout', /timed out|[^-]timeout [^3]/],
];

function classify(text) {
  for (const [name, test] of CLASSES) if (test.test(text)) return name;
  return 'other build failure';
}

/** A build log's output lines (the last `lines`). */
function logTail(file, lines = 100_000) {
  if (file === undefined || !existsSync(file)) return '';
  const out = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    try {
      const r = JSON.parse(line);
      if (r.msg === 'output' && typeof r.line === 'string') out.push(r.line);
    } catch { /* not a record */ }
  }
  return out.slice(-lines).join('\n');
}

const rows = [];
for (const t of report.targets) {
  if (t.status === 'succeeded') {
    rows.push({ target: t.target, ok: true, detail: `${t.built} built, ${t.cacheHits} cached` });
    continue;
  }
  if (t.status === 'pending' || t.status === 'running' || t.status === 'interrupted') {
    rows.push({ target: t.target, ok: false, cls: 'not finished (batch unfinished or interrupted)', detail: t.status });
    continue;
  }
  const failed = (t.nodes ?? []).find((n) => n.status === 'failed' || n.status === 'unfinished');
  // No node failed: the build stopped before building (no plan: exit 3); its log says why.
  const targetLog = t.log !== undefined && existsSync(t.log) ? readFileSync(t.log, 'utf8').split('\n').filter((l) => !l.startsWith('{')).join('\n') : '';
  const text = failed === undefined ? `${t.error ?? ''}\n${targetLog}` : `${failed.failure ?? ''}\n${logTail(failed.log)}`;
  const cls = classify(text);
  const where = failed === undefined ? '' : failed.source === t.target ? '' : ` (in dependency ${failed.source})`;
  const firstProblem = targetLog.split('\n').find((l) => /^(dependency cycle|no plan|stubforge build: )/.test(l));
  // The run's own paths go before the cut: a log or output directory under STUBFORGE_HOME.
  const last = (failed?.failure ?? firstProblem ?? t.error ?? '').split('\n')[0]
    .replace(/\/\S*\/([^/\s]+\.log)/g, '$1').replace(/; output kept in \/\S+\)/, ')').slice(0, 160);
  rows.push({ target: t.target, ok: false, cls: `${cls}${where}`, detail: last });
}

const built = rows.filter((r) => r.ok).length;
const total = rows.length;
const byClass = new Map();
for (const r of rows.filter((x) => !x.ok)) byClass.set(r.cls.replace(/ \(in dependency .*\)$/, ''), (byClass.get(r.cls.replace(/ \(in dependency .*\)$/, '')) ?? 0) + 1);
const lines = [
  `library sample, musl-linux-amd64, ${recipesLabel}: ${built} of ${total} built (${((100 * built) / total).toFixed(0)} %); target >= 85 %`,
  `report ${reportFile}, batch ${report.status}, updated ${report.updatedAt}`,
  '',
  'failures by class:',
  ...[...byClass.entries()].sort((a, b) => b[1] - a[1]).map(([c, n]) => `  ${String(n).padStart(3)}  ${c}`),
  '',
  'per source:',
  ...rows.map((r) => `  ${r.target.padEnd(32)} ${r.ok ? 'built' : 'FAILED'}  ${r.ok ? r.detail : `${r.cls}: ${r.detail}`}`),
];
// The mirror's address stays out of what this prints (it ends up in bench/library-batch.md).
// Nor do the run's own paths (logs under STUBFORGE_HOME): only the log's name is kept.
process.stdout.write(`${lines.join('\n').replace(/https?:\/\/\S+/g, '<mirror>/...').replace(/\/\S*\/([^/\s]+\.log)/g, '$1').replace(/report \/\S*\/([^/\s]+\.json)/, 'report $1')}\n`);
