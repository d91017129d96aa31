import { describe, expect, it } from 'vitest';
import { ALPHA_DEFAULT, BETA_DEFAULT, FeatureListError, parseFeatureList } from '../../src/fit/features.js';

describe('parseFeatureList', () => {
  it('defaults to the simulator formulation', () => {
    expect(parseFeatureList(undefined)).toEqual({ beta: [...BETA_DEFAULT], alpha: [...ALPHA_DEFAULT] });
    expect(parseFeatureList(' ')).toEqual({ beta: ['prefill', 'decode'], alpha: ['waiting', 'running', 'prompt'] });
  });

  it('adds +names to the defaults of the target that knows them', () => {
    expect(parseFeatureList('+decode_context,+waiting_x_kv')).toEqual({
      beta: ['prefill', 'decode', 'decode_context'],
      alpha: ['waiting', 'running', 'prompt', 'waiting_x_kv'],
    });
  });

  it('replaces the defaults with bare names, per target', () => {
    expect(parseFeatureList('prefill,prefill_sq')).toEqual({ beta: ['prefill', 'prefill_sq'], alpha: [...ALPHA_DEFAULT] });
  });

  it('applies an unqualified name known to both targets to both, and a qualified one to its target only', () => {
    expect(parseFeatureList('+kv_usage')).toEqual({ beta: ['prefill', 'decode', 'kv_usage'], alpha: ['waiting', 'running', 'prompt', 'kv_usage'] });
    expect(parseFeatureList('+beta:kv_usage')).toEqual({ beta: ['prefill', 'decode', 'kv_usage'], alpha: [...ALPHA_DEFAULT] });
  });

  it('rejects unknown names, bad qualifiers and mixing + with bare names in one target', () => {
    expect(() => parseFeatureList('+bogus')).toThrow(FeatureListError);
    expect(() => parseFeatureList('+gamma:prefill')).toThrow(/qualifier/);
    expect(() => parseFeatureList('prefill,+decode_context')).toThrow(/mixes/);
  });
});
