// The few pieces every report page is made of: escaping, the page frame and its style sheet.
// Package names, versions, relation texts, failure messages and log paths all come from outside
// (the archive, a build's output) and are untrusted: every one goes through `text()` or `attr()`,
// which escape markup and make control characters (terminal escapes, bidirectional overrides)
// visible instead of passing them on. Pure: values in, strings out.

/** C0 and C1 controls except tab and newline, DEL, and the bidirectional embedding/isolate marks. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/** A control character as one can read it: ␛ for ESC (Unicode control pictures), <U+202E> for the rest. */
export function visible(s: string): string {
  return s.replace(INVISIBLE, (c) => {
    const code = c.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    if (code === 0x7f) return '\u2421';
    return `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;
  });
}

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text content: escaped and made visible. */
export function text(s: string): string {
  return visible(s).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** An attribute value (always written in double quotes). */
export function attr(s: string): string {
  return text(s).replace(/\n/g, '&#10;');
}

/** A fragment id from any name: only characters that need no escaping anywhere, unique per name. */
export function anchor(prefix: string, name: string): string {
  let out = '';
  for (const c of name) out += /[A-Za-z0-9.-]/.test(c) ? c : `_${c.codePointAt(0)?.toString(16) ?? ''}_`;
  return `${prefix}-${out}`;
}

/** 1234 ms → "1.2 s", 95000 → "1 min 35 s": the same words as the build summary. */
export function duration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

export interface PageLink {
  readonly href: string;
  readonly label: string;
}

export interface PageInput {
  readonly title: string;
  /** The site's pages, for the navigation bar; the current one is marked. */
  readonly nav: readonly PageLink[];
  readonly current: string;
  /** Shown in the footer only when given (`--date`): without it the same inputs give the same bytes. */
  readonly generated?: string;
  /** Already-escaped HTML. */
  readonly body: string;
  /** Optional progressive enhancement: the page's core content must read without it. */
  readonly script?: string;
}

const STYLE = `
:root{--fg:#1d2330;--muted:#5d6675;--line:#d5d9e0;--bg:#fff;--soft:#f4f6f9;--target:#2f6fb3;--app:#7a3db8;--native:#8a8f98;
--crit:#c4302b;--ok:#2e7d32;--cached:#6d9fd6;--fail:#c4302b;--skip:#b08900;--run:#00838f}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
header{background:#1d2330;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.4rem;align-items:baseline;flex-wrap:wrap}
header strong{font-size:1.05rem}
header nav a{color:#c9d6ea;margin-right:1rem;text-decoration:none}
header nav a[aria-current]{color:#fff;border-bottom:2px solid #fff}
main{padding:1rem 1.2rem;max-width:1400px}
h1{font-size:1.35rem;margin:.2rem 0 .8rem}
h2{font-size:1.1rem;margin:1.4rem 0 .5rem}
table{border-collapse:collapse;margin:.4rem 0}
th,td{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:var(--soft);font-weight:600}
code,.mono{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.9em}
.muted{color:var(--muted)}
.facts{display:flex;gap:1.6rem;flex-wrap:wrap;margin:.3rem 0 .8rem}
.facts div{background:var(--soft);padding:.4rem .7rem;border-radius:4px}
.facts b{display:block;font-size:1.1rem}
.legend span{display:inline-block;margin-right:1rem}
.swatch{display:inline-block;width:.9em;height:.9em;border-radius:2px;vertical-align:-.1em;margin-right:.3em}
.status{font-weight:600}
.status-succeeded,.status-built{color:var(--ok)}
.status-cached{color:var(--target)}
.status-failed,.status-interrupted,.status-unfinished{color:var(--fail)}
.status-skipped,.status-not-built,.status-pending{color:var(--skip)}
.status-running{color:var(--run)}
#batch-matrix td{min-width:11rem}
.graph{overflow:auto;border:1px solid var(--line);padding:.5rem;background:#fff}
.graph svg{max-width:100%;height:auto}
.graph .node.critical polygon{stroke:var(--crit);stroke-width:2.5}
.graph .edge.critical path{stroke:var(--crit);stroke-width:2}
.graph a:hover polygon{stroke-width:3}
.layout{display:grid;grid-template-columns:minmax(0,1fr);gap:1rem}
tr:target{outline:2px solid var(--crit)}
.timeline svg{max-width:100%;height:auto;border:1px solid var(--line)}
.filter{background:var(--soft);padding:.6rem .8rem;border-radius:4px;margin:.6rem 0}
.filter input{font:inherit;padding:.25rem .4rem;width:18rem}
.filter output{margin-left:1rem;font-weight:600}
tr.hidden,th.hidden,td.hidden{display:none}
#embeds-matrix td{white-space:nowrap}
td.match{background:#fde8e7;font-weight:600}
footer{color:var(--muted);font-size:.85rem;padding:1rem 1.2rem;border-top:1px solid var(--line)}
`.trim();

export function page(input: PageInput): string {
  const nav = input.nav.map((l) => `<a href="${attr(l.href)}"${l.href === input.current ? ' aria-current="page"' : ''}>${text(l.label)}</a>`).join('');
  const footer = `stubforge report${input.generated === undefined ? '' : ` · generated ${text(input.generated)}`}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // No request leaves the page: no scripts, styles, fonts or images from elsewhere.
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src \'self\' data:; style-src \'unsafe-inline\'; script-src \'unsafe-inline\'">',
    `<title>${text(input.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<header><strong>stubforge</strong><nav>${nav}</nav></header>`,
    `<main>\n${input.body}\n</main>`,
    `<footer>${footer}</footer>`,
    ...(input.script === undefined ? [] : [`<script>${input.script}</script>`]),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** A table from escaped cells; the header cells are plain labels. */
export function table(head: readonly string[], rows: readonly (readonly string[])[], attrs = ''): string {
  const th = head.map((h) => `<th>${text(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table${attrs}><thead><tr>${th}</tr></thead>\n<tbody>\n${body}\n</tbody></table>`;
}

export function statusBadge(status: string): string {
  return `<span class="status status-${attr(status)}">${text(status)}</span>`;
}
