// What a source's own Debian packaging says about how it builds, read from debian/rules (pure):
// whether it uses dh, the options its `dh $@` line gives (--sourcedirectory, --buildsystem,
// --builddirectory: debhelper's build systems honour them), and which dh_auto_install overrides it
// has. The debian driver runs the package's rules with these facts; `plan` shows them as the
// evidence of the path a source takes ("dh --sourcedirectory=expat, debian/rules line 12").
import type { SourceLocation } from '../../model/location.js';

/** One fact with the line it was read from. */
export interface RulesEvidence {
  readonly text: string;
  readonly line: number;
}

export interface DebianRules {
  /** `dh $@ ...` is the catch-all target: the package builds through debhelper's sequences. */
  readonly usesDh: boolean;
  /** The `dh` line, when there is one. */
  readonly dhLine?: RulesEvidence;
  /**
   * The dh options debhelper's build-system commands take (`--sourcedirectory=expat`,
   * `--buildsystem=cmake`, `--builddirectory=build`), each as one word; make variables kept as
   * written (make expands them when the rules run the override targets).
   */
  readonly buildsystemOptions: readonly string[];
  /** Targets the rules define, among those the driver runs (`override_dh_auto_install-arch`). */
  readonly targets: ReadonlySet<string>;
  /** The line of each defined target the driver cares about. */
  readonly targetLines: ReadonlyMap<string, number>;
  /**
   * The first make conditional (`ifeq`, `ifneq`, `ifdef`, `ifndef`), when the rules have one: the
   * facts above are read from the text, so they may hold for one branch only (brotli's `dh` lines).
   */
  readonly conditionalLine?: number;
  readonly location: SourceLocation;
}

/** Targets whose presence changes what the driver runs. */
export const RULES_TARGETS = [
  'build-arch', 'build', 'install', 'install-arch',
  'override_dh_auto_install', 'override_dh_auto_install-arch',
] as const;

/** dh options that debhelper's build-system commands (dh_auto_*) read. */
const BUILDSYSTEM_OPTION = /^(--sourcedirectory|--sourcedir|-D|--builddirectory|--builddir|-B|--buildsystem|-S)(=(.*))?$/;

/** Joins backslash-continued lines, keeping the number of each logical line's first line. */
function logicalLines(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  let current: { text: string; line: number } | undefined;
  for (const [i, raw] of text.split('\n').entries()) {
    if (current === undefined) current = { text: '', line: i + 1 };
    if (raw.endsWith('\\')) {
      current.text += `${raw.slice(0, -1)} `;
      continue;
    }
    current.text += raw;
    out.push(current);
    current = undefined;
  }
  if (current !== undefined) out.push(current);
  return out;
}

/** Reads debian/rules. `file` names it in evidence and errors. */
export function readDebianRules(text: string, file: string): DebianRules {
  const targets = new Set<string>();
  const targetLines = new Map<string, number>();
  let dhLine: RulesEvidence | undefined;
  let options: string[] = [];
  let conditionalLine: number | undefined;
  for (const { text: line, line: number } of logicalLines(text)) {
    if (line.trimStart().startsWith('#')) continue;
    if (/^\s*if(eq|neq|def|ndef)\b/.test(line)) conditionalLine ??= number;
    // A rule line: `target [target...]:` not `VAR := value`.
    const rule = /^([A-Za-z0-9_%./$()-][A-Za-z0-9_%./$() -]*?)\s*::?(?!=)(.*)$/.exec(line);
    if (rule?.[1] !== undefined && !line.startsWith('\t')) {
      for (const name of rule[1].split(/\s+/)) {
        if ((RULES_TARGETS as readonly string[]).includes(name)) {
          targets.add(name);
          if (!targetLines.has(name)) targetLines.set(name, number);
        }
      }
      continue;
    }
    // The catch-all recipe `\tdh $@ ...` (also `dh $@` after a `+`/`@` prefix).
    const dh = /^\t[@+-]*\s*dh\s+(\$@|\$\{@\}|\$\(@\))(\s.*)?$/.exec(line);
    if (dh !== null && dhLine === undefined) {
      dhLine = { text: line.trim().replace(/\s+/g, ' '), line: number };
      options = optionsOf((dh[2] ?? '').trim().split(/\s+/).filter((w) => w !== ''));
    }
  }
  return {
    usesDh: dhLine !== undefined, ...(dhLine === undefined ? {} : { dhLine }), buildsystemOptions: options,
    targets, targetLines, ...(conditionalLine === undefined ? {} : { conditionalLine }), location: { file },
  };
}

/** The build-system options of a dh command line, each normalised to one `--name=value` word. */
function optionsOf(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i] ?? '';
    const long = BUILDSYSTEM_OPTION.exec(word);
    // -Dexpat, -Sbuild: short options glued to their value.
    const short = /^-(D|B|S)(.+)$/.exec(word);
    const name = long?.[1] ?? (short === null ? undefined : `-${short[1] ?? ''}`);
    if (name === undefined) continue;
    let value = long?.[3] ?? short?.[2];
    if (value === undefined && long?.[2] === undefined) {
      value = words[i + 1];
      i += 1;
    }
    if (value === undefined) continue;
    out.push(`${canonical(name)}=${value}`);
  }
  return out;
}

function canonical(name: string): string {
  switch (name) {
    case '-D': case '--sourcedir': return '--sourcedirectory';
    case '-B': case '--builddir': return '--builddirectory';
    case '-S': return '--buildsystem';
    default: return name;
  }
}

/** How the driver installs what the build made into debian/tmp (or debian/<package>). */
export type InstallStage =
  | { readonly kind: 'override'; readonly target: string; readonly line: number }
  | { readonly kind: 'dh_auto_install' }
  | { readonly kind: 'rules-target'; readonly target: 'install' | 'install-arch'; readonly line: number }
  | { readonly kind: 'none' };

/**
 * The install stage: with dh, the package's own dh_auto_install override when it has one (bzip2's
 * `PREFIX=$(CURDIR)/debian/tmp`), else dh_auto_install with the dh line's options; without dh, the
 * rules' own `install` target (old-style rules, expat's). Only the -dev packages' files are taken
 * from the result, so dh_install and the rest of the binary sequence are not run: they would fail
 * on the shared objects a static-only build does not make.
 */
export function installStage(rules: DebianRules): InstallStage {
  if (rules.usesDh) {
    for (const target of ['override_dh_auto_install-arch', 'override_dh_auto_install']) {
      const line = rules.targetLines.get(target);
      if (line !== undefined) return { kind: 'override', target, line };
    }
    return { kind: 'dh_auto_install' };
  }
  for (const target of ['install-arch', 'install'] as const) {
    const line = rules.targetLines.get(target);
    if (line !== undefined) return { kind: 'rules-target', target, line };
  }
  return { kind: 'none' };
}

/** One line for `plan` and the build log: the path a source takes and why. */
export function describeDebianPath(rules: DebianRules): string {
  const file = rules.location.file;
  const parts: string[] = [];
  if (rules.dhLine !== undefined) {
    const opts = rules.buildsystemOptions.length === 0 ? '' : ` ${rules.buildsystemOptions.join(' ')}`;
    parts.push(`dh${opts}, ${file} line ${rules.dhLine.line}`);
  } else {
    parts.push(`${file} without dh (its own targets)`);
  }
  const install = installStage(rules);
  if (install.kind === 'override' || install.kind === 'rules-target') parts.push(`install: ${install.target}, line ${install.line}`);
  if (install.kind === 'none') parts.push('no install target');
  if (rules.conditionalLine !== undefined && rules.usesDh) {
    parts.push(`make conditionals from line ${rules.conditionalLine}: dh lists the install commands when the build runs`);
  }
  return parts.join('; ');
}
