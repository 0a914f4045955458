// The embeds matrix: every package read from the repositories (application .debs first, then the
// build cache's -cross packages) down, every source they embed across, each cell the version
// embedded and the fields that say so. The whole matrix is in the HTML; the filter box (a small
// inline script, embeds-script.ts) only hides the rows that do not match a query such as
// "zlib << 1:1.3" and says what `stubforge query embeds` would say.
import type { PackageEmbeds } from '../cache/embeds-query.js';
import { formatLocation, type SourceLocation } from '../model/location.js';
import { EMBEDS_SCRIPT } from './embeds-script.js';
import { attr, text } from './html.js';

export interface EmbedsPageInput {
  readonly packages: readonly PackageEmbeds[];
  /** Fields that could not be read, each with its message (rendered in cli/). */
  readonly problems: readonly { readonly location: SourceLocation; readonly message: string }[];
  /** The repositories and index files read. */
  readonly read: readonly string[];
  /** What cannot be read at all (a missing repository), one line each. */
  readonly errors?: readonly string[];
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A -cross package carries its source's provenance (X-Stubforge-Source); an application .deb names what it embeds only in (Static-)Built-Using. */
function isApplication(p: PackageEmbeds): boolean {
  return !p.embeds.some((e) => e.via.includes('X-Stubforge-Source'));
}

/** The same package read from two inputs is one row (query's dedupe does the same for matches). */
function rowsOf(packages: readonly PackageEmbeds[]): PackageEmbeds[] {
  const seen = new Map<string, PackageEmbeds>();
  for (const p of packages) {
    const id = `${p.package}\0${p.version}\0${p.architecture}`;
    if (!seen.has(id)) seen.set(id, p);
  }
  return [...seen.values()].sort((a, b) => Number(isApplication(b)) - Number(isApplication(a))
    || compareText(a.package, b.package) || compareText(a.version, b.version) || compareText(a.architecture, b.architecture));
}

export function renderEmbedsBody(input: EmbedsPageInput): string {
  const rows = rowsOf(input.packages);
  const sources = [...new Set(rows.flatMap((p) => p.embeds.map((e) => e.source)))].sort(compareText);
  const apps = rows.filter(isApplication).length;
  const out: string[] = [];
  out.push('<h1>What embeds what</h1>');
  out.push('<div class="facts">',
    `<div><b>${apps}</b>packages naming what they embed (applications, Built-Using)</div>`,
    `<div><b>${rows.length - apps}</b>-cross packages</div>`,
    `<div><b>${sources.length}</b>embedded sources</div>`,
    ...(input.problems.length + (input.errors?.length ?? 0) > 0 ? [`<div><b>${input.problems.length + (input.errors?.length ?? 0)}</b>problems (answer may be incomplete)</div>`] : []),
    '</div>');
  out.push('<form class="filter" id="embeds-filter" hidden>',
    '<label for="embeds-query">Which packages embed </label>',
    '<input id="embeds-query" name="q" type="search" placeholder="zlib &lt;&lt; 1:1.3" autocomplete="off" spellcheck="false">',
    '<button type="submit">filter</button>',
    '<output id="embeds-answer" for="embeds-query" aria-live="polite"></output>',
    '<p class="muted">As <code>stubforge query embeds</code> reads it: <code>zlib</code>, <code>zlib &lt;&lt; 1:1.3</code> or <code>zlib (&lt;&lt; 1:1.3)</code>, in dpkg\'s version order.</p>',
    '</form>',
    '<noscript><p class="muted">The filter box needs JavaScript; the matrix below is complete without it (or run <code>stubforge query embeds</code>).</p></noscript>');
  if (rows.length === 0) {
    out.push('<p id="embeds-empty">No package read names what it embeds.</p>');
  } else {
    const head = ['package', 'version', 'arch', ...sources].map((h, i) => (i < 3 ? `<th>${text(h)}</th>` : `<th class="mono">${text(h)}</th>`)).join('');
    const body = rows.map((p) => {
      const cells = sources.map((s) => {
        const found = p.embeds.filter((e) => e.source === s);
        return `<td>${found.map((e) => `<span class="mono" data-source="${attr(e.source)}" data-version="${attr(e.version)}" title="${attr(e.via.join(', '))}">${text(e.version)}</span>`).join('<br>')}</td>`;
      }).join('');
      const kind = isApplication(p) ? 'application' : 'cross';
      return `<tr class="kind-${kind}" title="${attr(formatLocation(p.origin))}"><td class="mono">${text(p.package)}</td><td class="mono">${text(p.version)}</td><td>${text(p.architecture)}</td>${cells}</tr>`;
    });
    out.push(`<div class="graph"><table id="embeds-matrix"><thead><tr>${head}</tr></thead>\n<tbody>\n${body.join('\n')}\n</tbody></table></div>`);
  }
  if (input.problems.length > 0 || (input.errors?.length ?? 0) > 0) {
    out.push('<h2>Problems reading the inputs</h2>', '<ul id="embeds-problems">',
      ...(input.errors ?? []).map((e) => `<li>${text(e)}</li>`),
      ...input.problems.map((p) => `<li>${text(`${formatLocation(p.location)}: ${p.message}`)}</li>`), '</ul>');
  }
  out.push('<h2>Read</h2>', `<ul class="muted">${input.read.map((r) => `<li><code>${text(r)}</code></li>`).join('')}</ul>`);
  return out.join('\n');
}

export { EMBEDS_SCRIPT };
