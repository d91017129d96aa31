/**
 * A report as a renderer-neutral document: a title and a flat list of
 * blocks. Each report builds one document; `renderTerminal` (terminal.ts),
 * `renderMarkdown` (markdown.ts) and `renderHtml` (html.ts) turn it into
 * text, so the three forms always say the same thing.
 *
 * API:
 * - `ReportDocument { title, subtitle?, blocks }`.
 * - `Block`: `heading` (a section), `paragraph` (prose; `tone` colours a
 *   verdict), `list` (bullets), `table` (see table.ts; optional caption),
 *   `figure` (a vega-lite spec rendered to inline SVG; only the HTML form
 *   draws figures, the text forms leave them out).
 * - Builders `heading(text)`, `paragraph(text, tone?)`, `list(items)`,
 *   `tableBlock(table, caption?)`, `figure(spec, caption)` keep report code
 *   short.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Table, Tone } from './table.js';

export interface HeadingBlock {
  kind: 'heading';
  text: string;
}

export interface ParagraphBlock {
  kind: 'paragraph';
  text: string;
  tone?: Tone;
}

export interface ListBlock {
  kind: 'list';
  items: string[];
}

export interface TableBlock {
  kind: 'table';
  table: Table;
  caption?: string;
}

export interface FigureBlock {
  kind: 'figure';
  spec: TopLevelSpec;
  caption: string;
}

export type Block = HeadingBlock | ParagraphBlock | ListBlock | TableBlock | FigureBlock;

export interface ReportDocument {
  title: string;
  subtitle?: string;
  blocks: Block[];
}

export const heading = (text: string): HeadingBlock => ({ kind: 'heading', text });
export const paragraph = (text: string, tone?: Tone): ParagraphBlock => (tone ? { kind: 'paragraph', text, tone } : { kind: 'paragraph', text });
export const list = (items: string[]): ListBlock => ({ kind: 'list', items });
export const tableBlock = (table: Table, caption?: string): TableBlock => (caption ? { kind: 'table', table, caption } : { kind: 'table', table });
export const figure = (spec: TopLevelSpec, caption: string): FigureBlock => ({ kind: 'figure', spec, caption });
