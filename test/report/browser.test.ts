/**
 * The HTML reports in a real headless Chromium (Debian's `chromium`, driven
 * by playwright-core): each page loads from file:// without console errors
 * or network requests, every plot is there with non-empty marks, and a
 * full-page screenshot per report lands in test-artifacts/ for a human look.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/capture/load.js';
import { writeCalibrateHtml, writeFidelityHtml, writeLatencyHtml } from '../../src/report/canned.js';
import { generate, useTempDirs } from './fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`skipping the HTML report browser tests: ${CHROMIUM} is not installed (apt-get install chromium)`);

const tempDir = useTempDirs();
const pages: Record<'latency' | 'calibrate' | 'fidelity', string> = { latency: '', calibrate: '', fidelity: '' };
let context: BrowserContext | undefined;

beforeAll(async () => {
  if (!hasChromium) return;
  const workload = { requests: 240, seed: 4, scenario: 'burst', burstSize: 40, burstIntervalS: 3 } as const;
  const source = await generate(tempDir(), workload);
  const replay = await generate(tempDir(), { ...workload, beta0: 7500 });
  const capture = await loadCapture({ trace: source.trace, stepStats: source.stepStats, otlp: source.otlp });
  const out = tempDir();
  pages.latency = join(out, 'latency.html');
  pages.calibrate = join(out, 'calibrate.html');
  pages.fidelity = join(out, 'fidelity.html');
  await writeLatencyHtml(capture, pages.latency);
  await writeCalibrateHtml(capture, await loadCapture({ trace: replay.trace }), pages.calibrate);
  await writeFidelityHtml(capture, pages.fidelity);
  context = await chromium.launchPersistentContext(tempDir(), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await context?.close();
});

const EXPECTED_PLOTS = { latency: 3, calibrate: 4, fidelity: 2 } as const;

describe.skipIf(!hasChromium)('HTML reports in headless Chromium', () => {
  for (const name of Object.keys(EXPECTED_PLOTS) as (keyof typeof EXPECTED_PLOTS)[]) {
    it(`${name}: loads cleanly, every plot has marks, screenshot written`, async () => {
      const page = await context!.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
      page.on('request', (request) => requests.push(request.url()));
      const url = pathToFileURL(pages[name]).href;
      await page.goto(url, { waitUntil: 'load' });

      const plots = await page.$$eval('figure.plot', (figures) =>
        figures.map((figure) => ({
          svg: figure.querySelector('svg') !== null,
          // Data marks only: vega puts them under groups with role-mark (axes, legends and titles use other roles).
          marks: figure.querySelectorAll('svg g.role-mark > path, svg g.role-mark > circle, svg g.role-mark > rect, svg g.role-mark > line').length,
          width: figure.querySelector('svg')?.getBoundingClientRect().width ?? 0,
          caption: figure.querySelector('figcaption')?.textContent ?? '',
        })),
      );
      expect(plots).toHaveLength(EXPECTED_PLOTS[name]);
      for (const plot of plots) {
        expect(plot.svg).toBe(true);
        expect(plot.marks).toBeGreaterThan(0);
        expect(plot.width).toBeGreaterThan(200);
        expect(plot.caption.length).toBeGreaterThan(10);
      }
      expect(await page.$$eval('table', (tables) => tables.length)).toBeGreaterThan(1);
      expect(problems).toEqual([]);
      // Self-contained: the page itself is the only thing loaded.
      expect(requests).toEqual([url]);
      await page.screenshot({ path: join(ARTIFACTS, `report-${name}.png`), fullPage: true });
      await page.close();
    });
  }
});
