import { describe, expect, it } from 'vitest';
import { groupCaptureFiles, type InputFile } from '../../src/sql/grouping.js';
import { UsageError } from '../../src/cli/errors.js';

const file = (path: string, kind: InputFile['kind']): InputFile => ({ path, kind });

describe('groupCaptureFiles', () => {
  it('attaches the sidecar and OTLP file beside a trace, whatever the argument order', () => {
    expect(groupCaptureFiles([file('/r/otlp.jsonl', 'otlp'), file('/r/trace-step-stats.jsonl', 'step-stats'), file('/r/trace.jsonl', 'trace')])).toEqual([
      { trace: '/r/trace.jsonl', stepStats: '/r/trace-step-stats.jsonl', otlp: '/r/otlp.jsonl' },
    ]);
  });

  it('forms one capture per run directory', () => {
    const files = ['a', 'b'].flatMap((run) => [file(`/runs/${run}/trace.jsonl`, 'trace'), file(`/runs/${run}/trace-step-stats.jsonl`, 'step-stats')]);
    expect(groupCaptureFiles(files)).toEqual([
      { trace: '/runs/a/trace.jsonl', stepStats: '/runs/a/trace-step-stats.jsonl' },
      { trace: '/runs/b/trace.jsonl', stepStats: '/runs/b/trace-step-stats.jsonl' },
    ]);
  });

  it('matches by the longest name prefix when a directory holds several traces', () => {
    const groups = groupCaptureFiles([
      file('/d/run1.jsonl', 'trace'),
      file('/d/run10.jsonl', 'trace'),
      file('/d/run10-step-stats.jsonl.gz', 'step-stats'),
      file('/d/run1-step-stats.jsonl', 'step-stats'),
    ]);
    expect(groups).toEqual([
      { trace: '/d/run1.jsonl', stepStats: '/d/run1-step-stats.jsonl' },
      { trace: '/d/run10.jsonl', stepStats: '/d/run10-step-stats.jsonl.gz' },
    ]);
  });

  it('attaches a file from elsewhere to the only trace given', () => {
    expect(groupCaptureFiles([file('/a/trace.jsonl', 'trace'), file('/b/steps.jsonl', 'step-stats')])).toEqual([
      { trace: '/a/trace.jsonl', stepStats: '/b/steps.jsonl' },
    ]);
  });

  it('groups trace-less files by directory and ignores a file given twice', () => {
    expect(groupCaptureFiles([file('/x/otlp.jsonl', 'otlp'), file('/x/s.jsonl', 'step-stats'), file('/y/otlp.jsonl', 'otlp'), file('/x/otlp.jsonl', 'otlp')])).toEqual([
      { otlp: '/x/otlp.jsonl', stepStats: '/x/s.jsonl' },
      { otlp: '/y/otlp.jsonl' },
    ]);
  });

  it('refuses what it cannot place', () => {
    expect(() => groupCaptureFiles([file('/a/t.jsonl', 'trace'), file('/b/t.jsonl', 'trace'), file('/c/s.jsonl', 'step-stats')])).toThrow(UsageError);
    expect(() => groupCaptureFiles([file('/a/t.jsonl', 'trace'), file('/a/s1.jsonl', 'step-stats'), file('/a/s2.jsonl', 'step-stats')])).toThrow(
      /its capture already has a step-stats file/,
    );
    expect(() => groupCaptureFiles([file('/d/a.jsonl', 'trace'), file('/d/b.jsonl', 'trace'), file('/d/c-step-stats.jsonl', 'step-stats')])).toThrow(
      /cannot tell which engine trace/,
    );
  });
});
