/**
 * vcr load / sql / export through commander, in process: what the user
 * sees on stdout/stderr and the exit code.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { Command } from 'commander';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerExport } from '../../src/cli/commands/export.js';
import { registerLoad } from '../../src/cli/commands/load.js';
import { registerSql } from '../../src/cli/commands/sql.js';
import { useTempDir, writeCaptureFixture, type CaptureFixture } from './fixtures.js';

const tempDir = useTempDir();

interface Run {
  exitCode: number;
  stdout: string;
  stderr: string;
}

async function vcr(...args: string[]): Promise<Run> {
  const program = new Command('vcr').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerLoad(program);
  registerSql(program);
  registerExport(program);
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  process.exitCode = 0;
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    // Commander's own usage errors (unknown option, missing argument): vcr's main maps them to exit 2.
    process.exitCode = 2;
    stderr += (error as Error).message;
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { exitCode, stdout, stderr };
}

let fixture: CaptureFixture;
let db: string;
beforeAll(async () => {
  fixture = writeCaptureFixture(tempDir(), { seed: 61, requests: 80 });
  db = join(tempDir(), 'runs.duckdb');
  const loaded = await vcr('load', fixture.trace, fixture.stepStats, fixture.otlp, '--db', db);
  expect(loaded.exitCode).toBe(0);
});
afterEach(() => vi.restoreAllMocks());

describe('vcr load', () => {
  it('reports each capture with its row counts, and skips a duplicate', async () => {
    const again = await vcr('load', fixture.trace, fixture.stepStats, fixture.otlp, '--db', db);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toMatch(/^capture 1: already loaded, skipped/);
    const fresh = await vcr('load', writeCaptureFixture(tempDir(), { seed: 62, requests: 5 }).trace, '--db', db);
    expect(fresh.stdout).toMatch(/^capture 2: loaded {2}.*trace\.jsonl\n {2}5 requests, \d+ gaps\n/);
  });

  it('exits 1 with PATH:LINE on a bad file, and 2 on a usage error', async () => {
    const bad = join(tempDir(), 'trace.jsonl');
    writeFileSync(bad, '{"prompt_tokens": 1, "output_tokens": 1, "ttft_ms": 1}\nnot json\n');
    const run = await vcr('load', bad, '--db', join(tempDir(), 'x.duckdb'));
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^vcr: ${bad}:2: `));
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect((await vcr('load', fixture.trace, '--kind', 'bogus')).exitCode).toBe(2);
    const jobs = await vcr('load', fixture.trace, '-j', '0');
    expect(jobs.exitCode).toBe(2);
    expect(jobs.stderr).toContain('expected a thread count (1-64)');
  });

  it('loads the same rows with -j 1 as by default', async () => {
    const counts = (stderr: string) => stderr.split('\n').filter((line) => /requests|gaps|steps/.test(line));
    const one = await vcr('load', fixture.trace, fixture.stepStats, '--db', join(tempDir(), 'one.duckdb'), '-j', '1');
    const many = await vcr('load', fixture.trace, fixture.stepStats, '--db', join(tempDir(), 'many.duckdb'));
    expect([one.exitCode, many.exitCode]).toEqual([0, 0]);
    expect(counts(one.stdout)).toHaveLength(1);
    expect(counts(one.stdout)).toEqual(counts(many.stdout));
  });
});

describe('vcr sql', () => {
  it('prints a table from the database', async () => {
    const run = await vcr('sql', 'SELECT capture_id, count(*) AS requests FROM requests GROUP BY ALL ORDER BY 1', '--db', db);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe('capture_id  requests\n----------  --------\n         1        80\n         2         5\n');
  });

  it('runs a canned query file (-f) as csv', async () => {
    const run = await vcr('sql', '-f', 'queries/step_kind_mix.sql', '--db', db, '--format', 'csv');
    expect(run.exitCode).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe('capture_id,kind,steps,step_share,time_ms,time_share,mean_dur_ms,mean_running,mean_prefill_tokens,mean_decode_tokens');
  });

  it('surfaces DuckDB\'s exact message and position on bad SQL: exit 1, no stack', async () => {
    const sql = 'SELECT request_idd FROM requests';
    // DuckDB's own words for it, straight from a plain connection to the same database.
    const instance = await DuckDBInstance.create(db);
    const connection = await instance.connect();
    const duckdbMessage = await connection.run(sql).then(
      () => '',
      (error: Error) => error.message,
    );
    connection.closeSync();
    instance.closeSync();
    expect(duckdbMessage).toMatch(/^Binder Error: Referenced column "request_idd" not found[^]*\nLINE 1: SELECT request_idd FROM requests\n {15}\^$/);

    const run = await vcr('sql', sql, '--db', db);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe(`vcr: ${duckdbMessage}\n`);
    const parse = await vcr('sql', 'SELEC 1', '--db', db);
    expect(parse.stderr).toBe('vcr: Parser Error: syntax error at or near "SELEC"\n\nLINE 1: SELEC 1\n        ^\n');
    const file = join(tempDir(), 'bad.sql');
    writeFileSync(file, 'SELECT 1;\nSELECT * FROM nowhere;\n');
    const fromFile = await vcr('sql', '-f', file, '--db', db);
    expect(fromFile.exitCode).toBe(1);
    expect(fromFile.stderr).toMatch(new RegExp(`^vcr: ${file}: Catalog Error: Table with name nowhere does not exist!`));
  });

  it('-t queries files in memory and leaves nothing behind', async () => {
    const dir = tempDir();
    const local = writeCaptureFixture(dir, { seed: 63, requests: 12 });
    const before = readdirSync(dir).sort();
    const hadDefaultDb = existsSync('vcr.duckdb');
    const run = await vcr('sql', 'SELECT count(*) AS n FROM requests', '-t', local.trace, local.stepStats, '--format', 'json');
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([{ n: 12 }]);
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(existsSync('vcr.duckdb')).toBe(hadDefaultDb);
  });

  it('writes binary formats only to a file, atomically', async () => {
    const out = join(tempDir(), 'requests.parquet');
    expect((await vcr('sql', 'SELECT * FROM requests', '--db', db, '--format', 'parquet')).exitCode).toBe(2);
    const run = await vcr('sql', 'SELECT * FROM requests WHERE capture_id = 1', '--db', db, '--format', 'parquet', '-o', out);
    expect(run.exitCode).toBe(0);
    const check = await vcr('sql', `SELECT count(*) AS n FROM read_parquet('${out}')`, '--db', db, '--format', 'csv');
    expect(check.stdout).toBe('n\n80\n');
  });

  it('refuses an ambiguous invocation (exit 2)', async () => {
    expect((await vcr('sql', '--db', db)).exitCode).toBe(2);
    expect((await vcr('sql', 'SELECT 1', '--db', db, '-t', fixture.trace)).exitCode).toBe(2);
    const missing = await vcr('sql', 'SELECT 1', '--db', join(tempDir(), 'none.duckdb'));
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/none\.duckdb: no such database/);
  });
});

describe('vcr export', () => {
  it('writes the same Arrow table from the files as from the database', async () => {
    const dir = tempDir();
    const fromFiles = join(dir, 'gaps-files.arrow');
    const fromDb = join(dir, 'gaps-db.arrow');
    expect((await vcr('export', fixture.trace, fixture.stepStats, fixture.otlp, '--table', 'gaps', '-o', fromFiles)).exitCode).toBe(0);
    expect((await vcr('export', '--db', db, '--table', 'gaps', '--capture', '1', '-o', fromDb)).exitCode).toBe(0);
    const a = tableFromIPC(readFileSync(fromFiles));
    const b = tableFromIPC(readFileSync(fromDb));
    expect(a.numRows).toBe(fixture.raw.requests.reduce((n, r) => n + (r.itl_ms?.length ?? 0), 0));
    expect(a.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(b.schema.fields.map((f) => `${f.name}:${f.type}`));
    for (const field of a.schema.fields) expect([...a.getChild(field.name)!]).toEqual([...b.getChild(field.name)!]);
  });

  it('exports every table and view, in every file format', async () => {
    const dir = tempDir();
    const tables = ['captures', 'requests', 'steps', 'step_summaries', 'journey', 'snapshots', 'request_stages', 'alpha_samples', 'beta_samples'];
    const exports = [
      ...tables.map((table) => [table, 'arrow']),
      ...['requests', 'journey'].flatMap((table) => ['parquet', 'csv', 'json', 'ndjson'].map((ext) => [table, ext])),
    ];
    for (const [table, ext] of exports) {
      const out = join(dir, `${table}.${ext}`);
      const run = await vcr('export', fixture.trace, fixture.stepStats, fixture.otlp, '--table', table, '-o', out);
      expect(run.exitCode, `${table} ${ext}: ${run.stderr}`).toBe(0);
      expect(existsSync(out)).toBe(true);
    }
    const requests = tableFromIPC(readFileSync(join(dir, 'requests.arrow')));
    expect(String(requests.schema.fields.find((f) => f.name === 'block_hashes')!.type)).toBe('List<Uint64>');
    expect(JSON.parse(readFileSync(join(dir, 'journey.json'), 'utf8'))).toHaveLength(fixture.raw.journeyEvents);
  });

  it('needs a known format and table', async () => {
    expect((await vcr('export', fixture.trace, '--table', 'gaps', '-o', join(tempDir(), 'gaps.xyz'))).exitCode).toBe(2);
    expect((await vcr('export', fixture.trace, '--table', 'nope', '-o', join(tempDir(), 'gaps.csv'))).exitCode).toBe(2);
  });
});
