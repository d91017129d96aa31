/**
 * Vega-Lite → standalone SVG, rendered in Node (vega's headless View, no
 * browser, no canvas). The SVG is inlined into the HTML report, so the page
 * needs no script and no network at view time.
 *
 * API:
 * - `renderSvg(spec)`: compiles the vega-lite spec (with `PLOT_CONFIG` as
 *   defaults under the spec's own `config`) and resolves to an `<svg>` string.
 * - `PLOT_CONFIG`: the shared look (fonts, sizes, grid).
 *
 * Specs must carry their data inline (`data.values`): a loader that refuses
 * every URL makes a spec that points at a file or URL fail loudly here
 * instead of producing a page that reaches for the network.
 *
 * Vega reports runtime errors (a failed load, a broken expression) through
 * its logger and renders on regardless; `renderSvg` collects them and
 * rejects instead, so a broken plot never reaches a page. Warnings (e.g. a
 * value a log scale cannot place) are not failures and are dropped: a report
 * command's output is the report, not vega's diagnostics.
 */
import * as vega from 'vega';
import { compile, type Config, type TopLevelSpec } from 'vega-lite';

export const PLOT_CONFIG: Config = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif',
  view: { stroke: '#d0d7de' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eef1f4', domainColor: '#8c959f', tickColor: '#8c959f' },
  legend: { labelFontSize: 11, titleFontSize: 12, orient: 'top', labelLimit: 400 },
  title: { fontSize: 14, anchor: 'start', offset: 10 },
};

/** A loader that refuses every URL and records the refusal (vega only warns when a load fails). */
function offlineLoader(errors: string[]): vega.Loader {
  return {
    ...vega.loader(),
    load: (uri: string) => {
      const message = `plots carry their data inline; refusing to load ${uri}`;
      errors.push(message);
      return Promise.reject(new Error(message));
    },
  };
}

/** A vega logger that keeps errors for the caller and drops everything else. */
function errorCollector(errors: string[]): vega.LoggerInterface {
  let level = vega.Error;
  const logger: vega.LoggerInterface = {
    level: ((value?: number) => {
      if (value === undefined) return level;
      level = value;
      return logger;
    }) as vega.LoggerInterface['level'],
    error: (...args: readonly unknown[]) => {
      errors.push(args.map((arg) => (arg instanceof Error ? arg.message : String(arg))).join(' '));
      return logger;
    },
    warn: () => logger,
    info: () => logger,
    debug: () => logger,
  };
  return logger;
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const errors: string[] = [];
  const logger = errorCollector(errors);
  const withDefaults = { ...spec, config: { ...PLOT_CONFIG, ...spec.config } } as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(withDefaults, { logger }).spec), { renderer: 'none', loader: offlineLoader(errors), logger });
  try {
    const svg = await view.toSVG();
    if (errors.length > 0) throw new Error(`plot "${String(spec.title ?? '')}" failed to render: ${errors.join('; ')}`);
    return svg;
  } finally {
    view.finalize();
  }
}
