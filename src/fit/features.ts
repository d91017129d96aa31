/**
 * The regression features, by target, and the `--features` list syntax.
 * Every coefficient is in µs per feature unit (targets are µs).
 *
 * Defaults follow the simulators' formulation: beta (step time) =
 * intercept + prefill tokens + decode tokens; alpha (queue wait) =
 * intercept + waiting depth + running depth + prompt length.
 */
import type { AlphaSample } from './alphaSamples.js';
import type { StepRow } from './stepRows.js';

export interface FeatureDef<S> {
  name: string;
  unit: string;
  doc: string;
  value(sample: S): number;
}

export const BETA_FEATURES: readonly FeatureDef<StepRow>[] = [
  { name: 'prefill', unit: 'token', doc: 'prompt tokens computed this step (prefix-cache hits excluded)', value: (s) => s.prefillTokens },
  { name: 'decode', unit: 'token', doc: 'decode tokens this step (1 per decoding request, 1 + K with speculative decoding)', value: (s) => s.decodeTokens },
  { name: 'prefill_sq', unit: 'token²', doc: 'prefill tokens squared (attention over the new tokens grows quadratically)', value: (s) => s.prefillTokens * s.prefillTokens },
  {
    name: 'decode_context',
    unit: '1k tokens',
    doc: 'decode × context: sum over the step\'s decoding requests of their KV context, thousands of tokens (reconstructed from journeys)',
    value: (s) => s.decodeContextTokens / 1000,
  },
  { name: 'kv_usage', unit: 'fraction', doc: 'KV-cache usage 0–1', value: (s) => s.kvUsage },
  { name: 'running', unit: 'request', doc: 'requests in the batch', value: (s) => s.running },
];

export const ALPHA_FEATURES: readonly FeatureDef<AlphaSample>[] = [
  { name: 'waiting', unit: 'request', doc: 'queue depth as of the last step summary before QUEUED', value: (s) => s.waiting },
  { name: 'running', unit: 'request', doc: 'running depth as of that summary', value: (s) => s.running },
  { name: 'prompt', unit: 'token', doc: 'prompt length', value: (s) => s.promptTokens },
  { name: 'kv_usage', unit: 'fraction', doc: 'KV-cache usage 0–1 as of that summary', value: (s) => s.kvUsage },
  { name: 'waiting_x_kv', unit: 'request', doc: 'waiting depth × KV usage (a deep queue behind a full cache waits longer)', value: (s) => s.waiting * s.kvUsage },
  { name: 'running_x_kv', unit: 'request', doc: 'running depth × KV usage', value: (s) => s.running * s.kvUsage },
  { name: 'prompt_x_waiting', unit: 'token·request', doc: 'prompt length × waiting depth', value: (s) => s.promptTokens * s.waiting },
];

export const BETA_DEFAULT = ['prefill', 'decode'] as const;
export const ALPHA_DEFAULT = ['waiting', 'running', 'prompt'] as const;

/** The simulator coefficient file's beta form: β0 + β1·prefill + β2·decode (formats.md §3b). */
export const SIMULATOR_BETA_FEATURES = ['prefill', 'decode'] as const;

export interface FeatureSelection {
  beta: string[];
  alpha: string[];
}

/** A `--features` list that names an unknown feature or mixes adding with replacing. */
export class FeatureListError extends Error {
  override name = 'FeatureListError';
}

type Target = keyof FeatureSelection;
const REGISTRY: Record<Target, readonly { name: string }[]> = { beta: BETA_FEATURES, alpha: ALPHA_FEATURES };
const DEFAULTS: Record<Target, readonly string[]> = { beta: BETA_DEFAULT, alpha: ALPHA_DEFAULT };

/**
 * Parses `--features`: comma-separated names, each optionally qualified
 * `beta:` / `alpha:` and optionally prefixed `+`. `+name` adds to the
 * target's defaults; bare names replace the defaults of the target(s) they
 * belong to. An unqualified name known to both targets (running, kv_usage)
 * applies to both. Within one target, adding and replacing cannot be mixed.
 */
export function parseFeatureList(list: string | undefined): FeatureSelection {
  const selection: FeatureSelection = { beta: [...BETA_DEFAULT], alpha: [...ALPHA_DEFAULT] };
  if (list === undefined || list.trim() === '') return selection;
  const mode: Partial<Record<Target, 'add' | 'replace'>> = {};
  for (const raw of list.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const add = item.startsWith('+');
    const body = add ? item.slice(1) : item;
    const colon = body.indexOf(':');
    const qualifier = colon >= 0 ? body.slice(0, colon) : undefined;
    const name = colon >= 0 ? body.slice(colon + 1) : body;
    if (qualifier !== undefined && qualifier !== 'beta' && qualifier !== 'alpha') {
      throw new FeatureListError(`--features: "${item}": the qualifier must be beta: or alpha:`);
    }
    const candidates: readonly Target[] = qualifier !== undefined ? [qualifier] : ['beta', 'alpha'];
    const targets = candidates.filter((t) => REGISTRY[t].some((f) => f.name === name));
    if (targets.length === 0) {
      const known = (['beta', 'alpha'] as const).map((t) => `${t}: ${REGISTRY[t].map((f) => f.name).join(', ')}`).join('; ');
      throw new FeatureListError(`--features: unknown feature "${item}" (known — ${known})`);
    }
    for (const target of targets) {
      const wanted = add ? 'add' : 'replace';
      if (mode[target] === undefined) {
        mode[target] = wanted;
        if (wanted === 'replace') selection[target] = [];
      } else if (mode[target] !== wanted) {
        throw new FeatureListError(`--features: "${item}" mixes +name (add to the ${target} defaults ${DEFAULTS[target].join(', ')}) with bare names (replace them)`);
      }
      if (!selection[target].includes(name)) selection[target].push(name);
    }
  }
  return selection;
}

export function featureDefs<S>(registry: readonly FeatureDef<S>[], names: readonly string[]): FeatureDef<S>[] {
  return names.map((name) => {
    const def = registry.find((f) => f.name === name);
    if (!def) throw new FeatureListError(`unknown feature ${name}`);
    return def;
  });
}
