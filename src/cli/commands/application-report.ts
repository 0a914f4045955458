// The end of `stubforge build` for an application: where its `.deb` is and what it embeds, read
// back from the published package's own control file (the same fields apt and dpkg show).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PublishedDeb } from '../../cache/apt-repo.js';
import { parseDeb822 } from '../../control/deb822.js';
import type { RunReport } from '../../executor/scheduler/outcome.js';
import { projectRoot } from '../config.js';

/** `stubforge-<version>` from the installed package.json, for the SPDX document's creator. */
export function toolName(root: string = projectRoot()): string {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? `stubforge-${pkg.version}` : 'stubforge';
  } catch {
    return 'stubforge';
  }
}

function fieldOf(deb: PublishedDeb, name: string): string | undefined {
  const parsed = parseDeb822(deb.control, { file: deb.filename });
  return parsed.ok ? parsed.value[0]?.getFolded(name) : undefined;
}

/** One block per application package built or found in the cache; empty when there is none. */
export function formatApplicationReport(report: RunReport, pathOf: (deb: PublishedDeb) => string): string {
  const lines: string[] = [];
  for (const outcome of report.outcomes) {
    if (outcome.node.kind !== 'application' || (outcome.status !== 'built' && outcome.status !== 'cached')) continue;
    const debs = outcome.entry.debs;
    const main = debs.find((d) => !d.package.endsWith('-dbgsym')) ?? debs[0];
    if (main === undefined) continue;
    lines.push(`application package (${outcome.status}): ${pathOf(main)}`, `  ${main.package} ${main.version} ${main.architecture}`);
    const sbu = fieldOf(main, 'Static-Built-Using');
    const bu = fieldOf(main, 'Built-Using');
    lines.push(`  embeds (Static-Built-Using): ${sbu ?? 'nothing'}`, `  Built-Using (licence): ${bu ?? 'none'}`);
    for (const d of debs) if (d !== main) lines.push(`  also: ${pathOf(d)}`);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
