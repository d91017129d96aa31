/**
 * Terminal rendering of a ReportDocument: aligned tables (numbers
 * right-aligned), wrapped prose, chalk colours for heat and verdict tones.
 * Figures are left out (they need --html).
 *
 * API:
 * - `shouldUseColor(stream, env?)`: false when NO_COLOR is set to a
 *   non-empty value (no-color.org), true/false when FORCE_COLOR says so
 *   (chalk's convention: "0"/"false" disable), else only on a TTY whose TERM
 *   is not "dumb". Chalk alone does not honour NO_COLOR, hence this rule.
 * - `renderTerminal(doc, { color, width? })`: the document as text.
 * - `renderTerminalTable(table, { color })`: one table, for callers that
 *   print tables without a document.
 *
 * Without colour the output stays readable: the hottest heat cells get a
 * `*` suffix (other cells of a heat column a space, so digits stay aligned),
 * and verdict paragraphs carry their words, not just their colour.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import type { Block, ReportDocument } from './document.js';
import { cellText, cellTone, columnAlignment, heatLevels, type Align, type HeatLevel, type Table, type Tone } from './table.js';

export interface TerminalOptions {
  color: boolean;
  /** Wrap prose at this many columns (default 100). */
  width?: number;
}

export function shouldUseColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return stream.isTTY === true && env.TERM !== 'dumb';
}

const DEFAULT_WIDTH = 100;
const COLUMN_GAP = '  ';

function painter(color: boolean): ChalkInstance {
  // Level 1 (16 colours) is all the reports use and every colour terminal has it.
  return new Chalk({ level: color ? 1 : 0 });
}

function paintTone(chalk: ChalkInstance, tone: Tone | undefined, text: string): string {
  switch (tone) {
    case 'good':
      return chalk.green(text);
    case 'bad':
      return chalk.red.bold(text);
    case 'warn':
      return chalk.yellow(text);
    case 'muted':
      return chalk.dim(text);
    default:
      return text;
  }
}

function paintHeat(chalk: ChalkInstance, level: HeatLevel, text: string): string {
  if (level === 2) return chalk.red.bold(text);
  if (level === 1) return chalk.yellow(text);
  return text;
}

function pad(text: string, width: number, align: Align): string {
  const fill = ' '.repeat(Math.max(0, width - text.length));
  return align === 'right' ? fill + text : text + fill;
}

export function renderTerminalTable(table: Table, options: { color: boolean }): string {
  const chalk = painter(options.color);
  const n = table.columns.length;
  const aligns = table.columns.map((_, i) => columnAlignment(table, i));
  const heat = table.columns.map((_, i) => heatLevels(table, i));
  // Plain mode marks the hottest cell of a heat column with '*'; the other cells get a space so digits line up.
  const texts = table.rows.map((row, r) =>
    table.columns.map((column, i) => {
      const text = cellText(column, row[i]);
      if (!column.heat || options.color) return text;
      return text + (heat[i][r] === 2 ? '*' : ' ');
    }),
  );
  const widths = table.columns.map((column, i) => Math.max(column.header.length, ...texts.map((row) => row[i].length)));
  const lines: string[] = [];
  lines.push(table.columns.map((column, i) => chalk.bold(pad(column.header, widths[i], aligns[i]))).join(COLUMN_GAP).trimEnd());
  lines.push(widths.map((w) => chalk.dim('─'.repeat(w))).join(COLUMN_GAP));
  for (let r = 0; r < texts.length; r++) {
    const cells: string[] = [];
    for (let i = 0; i < n; i++) {
      const padded = pad(texts[r][i], widths[i], aligns[i]);
      const tone = cellTone(table.rows[r][i]);
      cells.push(tone ? paintTone(chalk, tone, padded) : paintHeat(chalk, heat[i][r], padded));
    }
    lines.push(cells.join(COLUMN_GAP).trimEnd());
  }
  return lines.join('\n');
}

/** Greedy word wrap; words longer than the width stay whole. */
export function wrapText(text: string, width: number, indent = ''): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else {
      line = line ? `${line} ${word}` : indent + word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function renderBlock(block: Block, chalk: ChalkInstance, options: TerminalOptions, width: number): string | undefined {
  switch (block.kind) {
    case 'heading':
      return chalk.bold.underline(block.text);
    case 'paragraph':
      return wrapText(block.text, width)
        .map((line) => paintTone(chalk, block.tone, line))
        .join('\n');
    case 'list':
      return block.items.map((item) => wrapText(item, width - 2, '  ').join('\n').replace(/^ {2}/, '- ')).join('\n');
    case 'table': {
      const table = renderTerminalTable(block.table, { color: options.color });
      return block.caption ? `${chalk.dim(block.caption)}\n${table}` : table;
    }
    case 'figure':
      return undefined;
  }
}

export function renderTerminal(doc: ReportDocument, options: TerminalOptions): string {
  const chalk = painter(options.color);
  const width = options.width ?? DEFAULT_WIDTH;
  const parts = [doc.subtitle ? `${chalk.bold(doc.title)}\n${chalk.dim(doc.subtitle)}` : chalk.bold(doc.title)];
  for (const block of doc.blocks) {
    const text = renderBlock(block, chalk, options, width);
    if (text !== undefined) parts.push(text);
  }
  return `${parts.join('\n\n')}\n`;
}
