/**
 * HTML rendering of a ReportDocument: one self-contained page (inline CSS,
 * inline SVG plots, no script, no external resource), so it can be attached
 * to a ticket or opened from disk offline.
 *
 * API:
 * - `renderHtml(doc)`: resolves to the whole page; figures are rendered to
 *   SVG with `renderSvg` (plot.ts).
 * - `htmlPage(title, bodyHtml)`: the page shell (doctype, meta, inline CSS)
 *   around a body a caller built itself.
 * - `renderHtmlTable(table, caption?)`: one `<table>`; numbers right-aligned,
 *   heat cells classed `heat-1` / `heat-2`, toned cells `tone-<tone>`.
 * - `escapeHtml(text)`.
 *
 * Every figure is wrapped in `<figure class="plot" data-plot="<n>">` so a
 * test (or a reader's script) can find each plot and its marks.
 */
import type { Block, ReportDocument } from './document.js';
import { renderSvg } from './plot.js';
import { cellText, cellTone, columnAlignment, heatLevels, type Table } from './table.js';

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const STYLE = `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --rule: #d0d7de; --zebra: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1180px; padding: 24px 32px 48px; color: var(--fg); background: #fff;
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
h1 { font-size: 22px; margin: 0 0 2px; }
.subtitle { color: var(--muted); margin: 0 0 16px; }
h2 { font-size: 17px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--rule); }
p, ul { max-width: 920px; }
.caption { color: var(--muted); font-size: 13px; margin: 10px 0 4px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 13px; margin: 4px 0 12px; }
th, td { padding: 3px 10px; border-bottom: 1px solid var(--rule); white-space: nowrap; }
th { text-align: left; background: var(--zebra); font-weight: 600; }
tbody tr:nth-child(even) td { background: #fbfcfd; }
.num { text-align: right; }
td.heat-2 { background: #ffd8d3 !important; font-weight: 600; }
td.heat-1 { background: #fff1c9 !important; }
.tone-good { color: #1a7f37; font-weight: 600; }
.tone-bad { color: #cf222e; font-weight: 600; }
.tone-warn { color: #9a6700; }
.tone-muted { color: var(--muted); }
p.verdict { padding: 8px 12px; border-left: 4px solid var(--rule); background: var(--zebra); }
p.verdict.tone-good { border-color: #1a7f37; }
p.verdict.tone-bad { border-color: #cf222e; }
p.verdict.tone-warn { border-color: #bf8700; }
.plots { display: flex; flex-wrap: wrap; gap: 16px; }
figure.plot { margin: 8px 0; padding: 8px; border: 1px solid var(--rule); border-radius: 6px; max-width: 100%; }
figure.plot svg { display: block; max-width: 100%; height: auto; }
/* width 0 + min-width 100%: the caption wraps to the plot's width instead of widening the figure. */
figcaption { color: var(--muted); font-size: 12px; margin-top: 4px; width: 0; min-width: 100%; }
`;

export function htmlPage(title: string, bodyHtml: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${bodyHtml}
</body>
</html>
`;
}

export function renderHtmlTable(table: Table, caption?: string): string {
  const aligns = table.columns.map((_, i) => columnAlignment(table, i));
  const heat = table.columns.map((_, i) => heatLevels(table, i));
  const head = table.columns.map((column, i) => `<th${aligns[i] === 'right' ? ' class="num"' : ''}>${escapeHtml(column.header)}</th>`).join('');
  const body = table.rows
    .map((row, r) => {
      const cells = table.columns.map((column, i) => {
        const classes = [aligns[i] === 'right' ? 'num' : '', heat[i][r] ? `heat-${heat[i][r]}` : ''];
        const tone = cellTone(row[i]);
        if (tone) classes.push(`tone-${tone}`);
        const cls = classes.filter(Boolean).join(' ');
        return `<td${cls ? ` class="${cls}"` : ''}>${escapeHtml(cellText(column, row[i]))}</td>`;
      });
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('\n');
  const captionHtml = caption ? `<div class="caption">${escapeHtml(caption)}</div>\n` : '';
  return `${captionHtml}<div class="table-wrap"><table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table></div>`;
}

async function renderBlock(block: Block, figureNumber: () => number): Promise<string> {
  switch (block.kind) {
    case 'heading':
      return `<h2>${escapeHtml(block.text)}</h2>`;
    case 'paragraph':
      return block.tone ? `<p class="verdict tone-${block.tone}">${escapeHtml(block.text)}</p>` : `<p>${escapeHtml(block.text)}</p>`;
    case 'list':
      return `<ul>\n${block.items.map((item) => `<li>${escapeHtml(item)}</li>`).join('\n')}\n</ul>`;
    case 'table':
      return renderHtmlTable(block.table, block.caption);
    case 'figure': {
      const svg = await renderSvg(block.spec);
      return `<figure class="plot" data-plot="${figureNumber()}">\n${svg}\n<figcaption>${escapeHtml(block.caption)}</figcaption>\n</figure>`;
    }
  }
}

/** Consecutive figures share one flex row so pairs (e.g. TTFT and ITL) sit side by side. */
export async function renderHtml(doc: ReportDocument): Promise<string> {
  let figures = 0;
  const nextFigure = () => ++figures;
  const parts = [`<h1>${escapeHtml(doc.title)}</h1>`];
  if (doc.subtitle) parts.push(`<p class="subtitle">${escapeHtml(doc.subtitle)}</p>`);
  let run: string[] = [];
  const flush = () => {
    if (run.length) parts.push(`<div class="plots">\n${run.join('\n')}\n</div>`);
    run = [];
  };
  for (const block of doc.blocks) {
    const html = await renderBlock(block, nextFigure);
    if (block.kind === 'figure') {
      run.push(html);
    } else {
      flush();
      parts.push(html);
    }
  }
  flush();
  return htmlPage(doc.title, parts.join('\n'));
}
