import { describe, expect, it } from 'vitest';
import { figure, heading, list, paragraph, tableBlock, type ReportDocument } from '../../src/report/render/document.js';
import { fixed, formatMs, formatPercent, formatRatio, formatSignedPercent } from '../../src/report/render/format.js';
import { escapeHtml, renderHtml, renderHtmlTable } from '../../src/report/render/html.js';
import { renderMarkdown, renderMarkdownTable } from '../../src/report/render/markdown.js';
import { renderSvg } from '../../src/report/render/plot.js';
import { heatLevel, heatLevels, toned, type Table } from '../../src/report/render/table.js';
import { renderTerminal, renderTerminalTable, shouldUseColor, wrapText } from '../../src/report/render/terminal.js';
import { drawableSurvival, histogramChart, intervalStripChart, qqChart, survivalChart } from '../../src/report/render/charts.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/;

const stages: Table = {
  columns: [{ header: 'stage' }, { header: 'ms', format: fixed(1) }, { header: 'share', format: (v) => formatPercent(v), heat: true }],
  rows: [
    ['queue', 120, 0.6],
    ['prefill | chunked', 50, 0.3],
    ['decode', 30, 0.1],
    ['verdict', null, toned('FAIL', 'bad')],
  ],
};

describe('number formats', () => {
  it('prints missing values as n/a and scales ms precision with magnitude', () => {
    expect(formatMs(NaN)).toBe('n/a');
    expect(formatMs(0.12345)).toBe('0.123');
    expect(formatMs(12.345)).toBe('12.35');
    expect(formatMs(1234.56)).toBe('1234.6');
    expect(formatMs(-0.0000001)).toBe('0.000');
    expect(formatPercent(0.1234)).toBe('12.3%');
    expect(formatSignedPercent(0.042)).toBe('+4.2%');
    expect(formatSignedPercent(-0.0001)).toBe('0.0%');
    expect(formatSignedPercent(Infinity)).toBe('n/a');
    expect(formatRatio(3.4199)).toBe('3.42×');
  });
});

describe('heat', () => {
  it('marks the column maximum hot and values ≥ half of it warm', () => {
    expect(heatLevel(10, 10)).toBe(2);
    expect(heatLevel(5, 10)).toBe(1);
    expect(heatLevel(4.9, 10)).toBe(0);
    expect(heatLevel(0, 0)).toBe(0);
    expect(heatLevels(stages, 2)).toEqual([2, 1, 0, 0]);
    expect(heatLevels(stages, 1)).toEqual([0, 0, 0, 0]);
  });
});

describe('terminal tables', () => {
  it('aligns numbers right and text left, plain without colour', () => {
    const text = renderTerminalTable(stages, { color: false });
    expect(text).not.toMatch(ANSI);
    const lines = text.split('\n');
    expect(lines[0]).toBe('stage                 ms   share');
    expect(lines[1]).toBe('─────────────────  ─────  ──────');
    // Hottest heat cell carries '*' in plain mode, the others a space so digits align.
    expect(lines[2]).toBe('queue              120.0  60.0%*');
    expect(lines[3]).toBe('prefill | chunked   50.0  30.0%');
    expect(lines[5]).toBe('verdict              n/a   FAIL');
  });

  it('colours heat and tones when colour is on', () => {
    const text = renderTerminalTable(stages, { color: true });
    expect(text).toMatch(ANSI);
    expect(text).not.toContain('*');
    // eslint-disable-next-line no-control-regex
    expect(text.replace(/\x1b\[[0-9;]*m/g, '').split('\n')[2]).toBe('queue              120.0  60.0%');
  });

  it('wraps prose at the width', () => {
    expect(wrapText('aa bb cc dd', 5)).toEqual(['aa bb', 'cc dd']);
    expect(wrapText('averyveryverylongword x', 5)).toEqual(['averyveryverylongword', 'x']);
  });
});

describe('shouldUseColor', () => {
  const tty = { isTTY: true };
  it('honours NO_COLOR, FORCE_COLOR, TTY and TERM=dumb', () => {
    expect(shouldUseColor(tty, {})).toBe(true);
    expect(shouldUseColor({ isTTY: false }, {})).toBe(false);
    expect(shouldUseColor({}, {})).toBe(false);
    expect(shouldUseColor(tty, { NO_COLOR: '1' })).toBe(false);
    expect(shouldUseColor(tty, { NO_COLOR: '' })).toBe(true);
    expect(shouldUseColor(tty, { TERM: 'dumb' })).toBe(false);
    expect(shouldUseColor({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(shouldUseColor(tty, { FORCE_COLOR: '0' })).toBe(false);
    expect(shouldUseColor(tty, { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false);
  });
});

const doc: ReportDocument = {
  title: 'Demo <report>',
  subtitle: 'capture · 3 requests',
  blocks: [
    heading('Section'),
    paragraph('Plain prose.'),
    paragraph('PASS: all good.', 'good'),
    list(['one', 'two']),
    tableBlock(stages, 'Stages'),
    figure(survivalChart({ title: 'tail', xTitle: 'ms', series: [{ name: 'a', points: [{ x: 1, survival: 0.5 }, { x: 2, survival: 0.1 }] }] }), 'A caption'),
  ],
};

describe('markdown', () => {
  it('renders a pasteable document: headings, quotes for verdicts, GFM tables, no figures', () => {
    const md = renderMarkdown(doc);
    expect(md).toBe(
      [
        '# Demo <report>',
        '',
        '*capture · 3 requests*',
        '',
        '## Section',
        '',
        'Plain prose.',
        '',
        '> PASS: all good.',
        '',
        '- one\n- two',
        '',
        '*Stages*',
        '',
        renderMarkdownTable(stages),
        '',
      ].join('\n'),
    );
  });

  it('escapes pipes, right-aligns numeric columns and bolds the hottest cell', () => {
    expect(renderMarkdownTable(stages).split('\n')).toEqual([
      '| stage | ms | share |',
      '| --- | ---: | ---: |',
      '| queue | 120.0 | **60.0%** |',
      '| prefill \\| chunked | 50.0 | 30.0% |',
      '| decode | 30.0 | 10.0% |',
      '| verdict | n/a | FAIL |',
    ]);
  });
});

describe('terminal documents', () => {
  it('renders every block but figures, plain when colour is off', () => {
    const text = renderTerminal(doc, { color: false });
    expect(text).not.toMatch(ANSI);
    expect(text.startsWith('Demo <report>\ncapture · 3 requests\n\nSection\n\nPlain prose.\n\nPASS: all good.\n\n- one\n- two\n\nStages\nstage')).toBe(true);
    expect(text).not.toContain('A caption');
  });
});

describe('html', () => {
  it('escapes text', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('classes numeric, heat and toned cells', () => {
    const html = renderHtmlTable(stages);
    expect(html).toContain('<th class="num">ms</th>');
    expect(html).toContain('<td class="num heat-2">60.0%</td>');
    expect(html).toContain('<td class="num heat-1">30.0%</td>');
    expect(html).toContain('<td class="num tone-bad">FAIL</td>');
    expect(html).toContain('<td>prefill | chunked</td>');
  });

  it('is one self-contained page: inline style and SVG, no script, no external reference', async () => {
    const html = await renderHtml(doc);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<title>Demo &lt;report&gt;</title>');
    expect(html).toContain('<style>');
    expect(html).toContain('<figure class="plot" data-plot="1">');
    expect(html).toContain('<svg');
    expect(html).toContain('<p class="verdict tone-good">PASS: all good.</p>');
    expect(html).not.toMatch(/<script|<link|src="http|href="http|@import/);
  });
});

describe('plots', () => {
  const markCount = (svg: string) => (svg.match(/class="mark-(rect|line|symbol) role-mark[^"]*"[^>]*>(<path[^>]*>)+/g) ?? []).length;

  it('renders every chart builder to SVG with data marks', async () => {
    const charts = [
      survivalChart({ title: 's', xTitle: 'ms', logX: true, series: [{ name: 'a', points: [{ x: 1, survival: 0.5 }, { x: 3, survival: 0.01 }, { x: 4, survival: 0 }] }] }),
      qqChart({ title: 'q', xTitle: 'a', yTitle: 'b', points: [{ p: 0.5, x: 1, y: 1.1 }, { p: 0.99, x: 3, y: 4 }] }),
      histogramChart({ title: 'h', xTitle: 'ms', series: [{ name: 'a', bins: [{ x0: 0, x1: 1, fraction: 0.4 }, { x0: 1, x1: 2, fraction: 0.6 }] }] }),
      intervalStripChart({ title: 't', xTitle: 'ms', domain: [0, 10], tracks: [{ name: 'bars', intervals: [{ start: 0, end: 4, row: 0 }, { start: 2, end: 12, row: 1 }] }, { name: 'steps', intervals: [{ start: 1, end: 2, row: 0 }] }] }),
    ];
    for (const spec of charts) {
      const svg = await renderSvg(spec);
      expect(svg.startsWith('<svg')).toBe(true);
      expect(markCount(svg)).toBeGreaterThan(0);
    }
  });

  it('draws a survival curve up to the maximum: the last step is carried there, since S = 0 has no place on a log axis', () => {
    const points = [{ x: 62.5, survival: 2 / 3 }, { x: 125, survival: 1 / 3 }, { x: 250, survival: 0 }];
    expect(drawableSurvival(points, false)).toEqual([{ x: 62.5, survival: 2 / 3 }, { x: 125, survival: 1 / 3 }, { x: 250, survival: 1 / 3 }]);
    // One value, or a maximum shared by every value: nothing to carry.
    expect(drawableSurvival([{ x: 5, survival: 0 }], false)).toEqual([]);
    // With logX, points at x ≤ 0 are left out as well.
    expect(drawableSurvival([{ x: 0, survival: 0.5 }, { x: 2, survival: 0.25 }, { x: 4, survival: 0 }], true)).toEqual([{ x: 2, survival: 0.25 }, { x: 4, survival: 0.25 }]);
  });

  it('refuses data that is not inline', async () => {
    await expect(renderSvg({ data: { url: 'https://example.com/data.json' }, mark: 'point' })).rejects.toThrow(/refusing to load/);
  });
});
