/**
 * Markdown rendering of a ReportDocument, for pasting into an issue or a
 * pull request (GitHub-flavoured tables). Figures are left out: an issue
 * cannot hold inline SVG, use --html for plots.
 *
 * API:
 * - `renderMarkdown(doc)`: `# title`, `## heading` per section, prose,
 *   bullets, tables with `---:` on right-aligned columns.
 * - `renderMarkdownTable(table)`: one table.
 *
 * Hot heat cells are bold; toned paragraphs (verdicts) are block quotes so
 * they stand out in the rendered issue.
 */
import type { Block, ReportDocument } from './document.js';
import { cellText, columnAlignment, heatLevels, type Table } from './table.js';

/** Pipes end a cell and newlines end a row: escape the one, flatten the other. */
function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function renderMarkdownTable(table: Table): string {
  const heat = table.columns.map((_, i) => heatLevels(table, i));
  const header = `| ${table.columns.map((column) => escapeCell(column.header)).join(' | ')} |`;
  const rule = `|${table.columns.map((_, i) => (columnAlignment(table, i) === 'right' ? ' ---: ' : ' --- ')).join('|')}|`;
  const rows = table.rows.map(
    (row, r) =>
      `| ${table.columns
        .map((column, i) => {
          const text = escapeCell(cellText(column, row[i]));
          return heat[i][r] === 2 ? `**${text}**` : text;
        })
        .join(' | ')} |`,
  );
  return [header, rule, ...rows].join('\n');
}

function renderBlock(block: Block): string | undefined {
  switch (block.kind) {
    case 'heading':
      return `## ${block.text}`;
    case 'paragraph':
      return block.tone ? `> ${block.text}` : block.text;
    case 'list':
      return block.items.map((item) => `- ${item}`).join('\n');
    case 'table':
      return block.caption ? `*${block.caption}*\n\n${renderMarkdownTable(block.table)}` : renderMarkdownTable(block.table);
    case 'figure':
      return undefined;
  }
}

export function renderMarkdown(doc: ReportDocument): string {
  const parts = [`# ${doc.title}`];
  if (doc.subtitle) parts.push(`*${doc.subtitle}*`);
  for (const block of doc.blocks) {
    const text = renderBlock(block);
    if (text !== undefined) parts.push(text);
  }
  return `${parts.join('\n\n')}\n`;
}
