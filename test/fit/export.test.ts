import { mkdtempSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import YAML from 'yaml';
import { Command } from 'commander';
import { ExportError, fitReportJson, resolveIdentity, simulatorYaml } from '../../src/fit/export.js';
import { writeCoefficientFile } from '../../src/fit/exportFile.js';
import { fitCapture } from '../../src/fit/fitCapture.js';
import { registerFit } from '../../src/cli/commands/fit.js';
import { generated } from './genCapture.js';

const GEN = { scenario: 'sweep', seed: 1, requests: 200, beta3: 0 } as const;

async function fullReport() {
  return fitCapture((await generated(GEN, { trace: true })).capture);
}

describe('simulator YAML (formats.md §3b)', () => {
  it('holds exactly the documented keys, parsed back field by field', async () => {
    const report = await fullReport();
    const parsed = YAML.parse(simulatorYaml(report, resolveIdentity(report)));
    expect(Object.keys(parsed)).toEqual(['models']);
    expect(parsed.models).toHaveLength(1);
    const model = parsed.models[0];
    expect(Object.keys(model)).toEqual(['id', 'GPU', 'tensor_parallelism', 'vllm_version', 'alpha_coeffs', 'beta_coeffs', 'total_kv_blocks', 'best_loss']);
    expect(model.id).toBe('meta-llama/llama-3.1-8b-instruct');
    expect(model.GPU).toBe('H100');
    expect(model.tensor_parallelism).toBe(1);
    expect(model.vllm_version).toBe('v1-sim');
    expect(model.total_kv_blocks).toBe(26000);
    expect(model.alpha_coeffs).toHaveLength(3);
    expect(model.beta_coeffs).toHaveLength(3);
    report.simulator.alphaCoeffsUs!.forEach((v, i) => expect(model.alpha_coeffs[i]).toBeCloseTo(v, 4));
    report.simulator.betaCoeffsUs!.forEach((v, i) => expect(model.beta_coeffs[i]).toBeCloseTo(v, 4));
    expect(model.best_loss).toBeCloseTo(report.simulator.bestLoss!, 4);
    // µs, and close to the generator's truth (6000, 25, 35) / (1200, 1, 5).
    expect(model.beta_coeffs[0]).toBeGreaterThan(5900);
    expect(model.alpha_coeffs[0]).toBeCloseTo(1200, 0);
  });

  it('lets flags override the capture\'s identity (model id lower-cased)', async () => {
    const report = await fullReport();
    const parsed = YAML.parse(simulatorYaml(report, resolveIdentity(report, { id: 'Org/Model-X', gpu: 'A100', tensorParallelism: 4, vllmVersion: '0.9.1', totalKvBlocks: 1234 })));
    expect(parsed.models[0]).toMatchObject({ id: 'org/model-x', GPU: 'A100', tensor_parallelism: 4, vllm_version: '0.9.1', total_kv_blocks: 1234 });
  });

  it('refuses to write a file with missing identity, naming the flags to pass', async () => {
    // OTLP alone: the model comes from the API spans, but no GPU, TP or vLLM version.
    const report = fitCapture((await generated(GEN)).capture);
    expect(() => simulatorYaml(report, resolveIdentity(report))).toThrow(ExportError);
    expect(() => simulatorYaml(report, resolveIdentity(report))).toThrow(/GPU is not in the capture's metadata \(pass --gpu\).*tensor_parallelism.*--tp.*vllm_version/);
    expect(() => simulatorYaml(report, resolveIdentity(report, { gpu: 'H100', tensorParallelism: 1, vllmVersion: 'x' }))).not.toThrow();
  });

  it('refuses to export β when a coefficient is unidentifiable', async () => {
    const report = fitCapture((await generated(GEN, { trace: true })).capture, { target: 'beta' });
    const broken = { ...report, simulator: { ...report.simulator, betaCoeffsUs: null, betaNotes: ['β1 (prefill) has no estimate: prefill is constant (0)'] } };
    expect(() => simulatorYaml(broken, resolveIdentity(broken))).toThrow(/beta_coeffs could not be estimated \(β1 \(prefill\) has no estimate/);
    // target beta fits no α at all.
    expect(() => simulatorYaml(report, resolveIdentity(report))).toThrow(/alpha_coeffs could not be estimated \(not fitted \(--target beta\)\)/);
  });
});

describe('fit report JSON', () => {
  it('carries the simulator entry and every fit, parsed back field by field', async () => {
    const report = await fullReport();
    const json = JSON.parse(fitReportJson(report, resolveIdentity(report)));
    expect(json.schema).toBe('vcr.fit/1');
    expect(json.simulator).toMatchObject({
      id: 'meta-llama/llama-3.1-8b-instruct',
      GPU: 'H100',
      tensor_parallelism: 1,
      vllm_version: 'v1-sim',
      total_kv_blocks: 26000,
      units: 'us',
      alpha_source: 'api-overhead',
    });
    expect(json.simulator.beta_coeffs).toHaveLength(3);
    expect(json.settings).toEqual({ ...report.settings });
    const coefficients = json.beta.fit.coefficients as { name: string; value: number; stdError: number; robustStdError: number; status: string }[];
    expect(coefficients.map((c) => c.name)).toEqual(['intercept', 'prefill', 'decode']);
    coefficients.forEach((c, i) => {
      const original = report.beta!.fit!.coefficients[i];
      expect(c.value).toBe(original.value);
      expect(c.stdError).toBe(original.stdError);
      expect(c.robustStdError).toBe(original.robustStdError);
      expect(c.status).toBe('estimated');
    });
    expect(json.beta.fit.train.r2).toBe(report.beta!.fit!.train!.r2);
    expect(json.beta.fit.test.residualQuantiles).toEqual(report.beta!.fit!.test!.residualQuantiles);
    expect(json.beta.fit.samples.excluded.map((e: { rule: string }) => e.rule)).toEqual([
      'no-wall-time',
      'non-positive-duration',
      'warm-up',
      'preemption',
    ]);
    expect(json.alpha.apiIngress.coefficients.map((c: { name: string }) => c.name)).toEqual(['intercept', 'prompt']);
    expect(json.prediction.itl.n).toBeGreaterThan(0);
    expect(json.capture.groundTruth.betaCoeffsUs).toEqual([6000, 25, 35, 0]);
  });

  it('writes null for numbers JSON cannot hold', async () => {
    const report = fitCapture((await generated(GEN)).capture, { target: 'alpha' });
    const text = fitReportJson(report, resolveIdentity(report));
    expect(text).not.toMatch(/NaN|Infinity/);
    const json = JSON.parse(text);
    expect(json.alpha.fit.coefficients.find((c: { name: string }) => c.name === 'waiting').value).toBeNull();
  });
});

describe('writeCoefficientFile', () => {
  it('writes by extension and leaves nothing behind when the export is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vcr-export-'));
    const report = await fullReport();
    expect(await writeCoefficientFile(join(dir, 'c.yaml'), report, resolveIdentity(report))).toBe('yaml');
    expect(await writeCoefficientFile(join(dir, 'c.json'), report, resolveIdentity(report))).toBe('json');
    expect(YAML.parse(readFileSync(join(dir, 'c.yaml'), 'utf8')).models[0].GPU).toBe('H100');
    expect(JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8')).schema).toBe('vcr.fit/1');
    await expect(writeCoefficientFile(join(dir, 'c.txt'), report, resolveIdentity(report))).rejects.toThrow(ExportError);
    const unknownGpu = resolveIdentity(report, {});
    delete unknownGpu.gpu;
    const otlpOnly = { ...report, capture: { ...report.capture, gpu: undefined } };
    await expect(writeCoefficientFile(join(dir, 'refused.yaml'), otlpOnly, unknownGpu)).rejects.toThrow(/--gpu/);
    expect(readdirSync(dir).sort()).toEqual(['c.json', 'c.yaml']);
  });
});

describe('vcr fit (command)', () => {
  afterEach(() => {
    process.exitCode = undefined;
    vi.restoreAllMocks();
  });

  async function run(args: string[]): Promise<{ stdout: string; stderr: string; code: number | undefined }> {
    let stdout = '';
    let stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
    const program = new Command('vcr').exitOverride();
    registerFit(program);
    try {
      await program.parseAsync(['node', 'vcr', ...args]);
    } finally {
      vi.restoreAllMocks();
    }
    const code = typeof process.exitCode === 'number' ? process.exitCode : undefined;
    process.exitCode = undefined;
    return { stdout, stderr, code };
  }

  it('fits a capture directory and exports the simulator file', async () => {
    const { dir } = await generated(GEN, { trace: true });
    const out = join(mkdtempSync(join(tmpdir(), 'vcr-fit-cli-')), 'coeffs.yaml');
    const result = await run(['fit', dir, '--export', out, '--features', '+decode_context']);
    expect(result.code).toBeUndefined();
    expect(result.stdout).toContain('Beta: step time');
    expect(result.stdout).toContain('Simulator coefficients');
    expect(result.stderr).toContain(`wrote simulator coefficients to ${out}`);
    expect(YAML.parse(readFileSync(out, 'utf8')).models[0].beta_coeffs).toHaveLength(3);
  });

  it('takes the capture files themselves in any order and prints JSON', async () => {
    const { dir } = await generated(GEN, { trace: true });
    const result = await run(['fit', join(dir, 'otlp.jsonl'), join(dir, 'trace.jsonl'), '--json', '--target', 'beta', '--holdout', '0.3']);
    expect(result.code).toBeUndefined();
    const json = JSON.parse(result.stdout);
    expect(json.settings).toMatchObject({ target: 'beta', holdout: 0.3 });
    expect(json.alpha).toBeNull();
    expect(json.simulator.GPU).toBe('H100');
  });

  it('exits 2 on usage errors and 1 when the export is refused, leaving no file', async () => {
    const { dir } = await generated(GEN);
    expect((await run(['fit', dir, '--features', '+bogus'])).code).toBe(2);
    expect((await run(['fit', dir, '--holdout', '1.5'])).code).toBe(2);
    expect((await run(['fit', dir, '--export', 'coeffs.txt'])).code).toBe(2);
    const out = join(mkdtempSync(join(tmpdir(), 'vcr-fit-cli-')), 'coeffs.yaml');
    // The OTLP file alone: no meta line, so no GPU / TP / vLLM version.
    const refused = await run(['fit', join(dir, 'otlp.jsonl'), '--export', out]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/cannot write the simulator coefficient file: GPU/);
    expect(existsSync(out)).toBe(false);
  });
});
