/**
 * The collector file exporter's non-JSON-lines outputs (formats.md §3):
 * length-prefixed protobuf, per-message zstd (of protobuf or of JSON), and a
 * whole-file zstd stream (of JSON lines or of length-prefixed protobuf).
 * Each fixture holds the same export as a JSON-lines file and must read to
 * the same capture.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { OtlpCapture } from '../../src/capture/otlpRecords.js';
import { detectInputKind } from '../../src/ingest/detect.js';
import { LenientLog } from '../../src/ingest/errors.js';
import { readOtlp } from '../../src/ingest/otlp/reader.js';
import { runVcr } from '../helpers/cli.js';
import { framed, protoOf, rawZstd } from '../helpers/otlpEncodings.js';
import {
  SCOPE,
  SPAN_KIND,
  T0,
  ms,
  batchSummaryAttrs,
  boolAttr,
  coreAttrs,
  doubleAttr,
  intAttr,
  scopeLine,
  snapshotAttrs,
  span,
  stringAttr,
  upstreamRequestLine,
} from '../helpers/otlpBuilder.js';
import { jsonLines, rejectionMessage, useTempDir } from './helpers.js';

const write = useTempDir();

const TRACE = '5b8efff798038103d269b633813fc60c';
const API = 'eee19b7ec3c1b173';

const API_LINE = scopeLine(
  SCOPE.api,
  span({
    traceId: TRACE,
    spanId: API,
    name: 'llm_request',
    kind: SPAN_KIND.server,
    startNs: T0,
    attributes: [
      stringAttr('gen_ai.request.id', 'cmpl-1'),
      stringAttr('gen_ai.response.model', 'meta-llama/Llama-3.1-8B'),
      intAttr('gen_ai.usage.prompt_tokens', 512),
      intAttr('gen_ai.usage.completion_tokens', 2),
    ],
    events: [
      { name: 'api.ARRIVED', timeNs: T0, attributes: [doubleAttr('event.ts.monotonic', 5000.5)] },
      { name: 'api.DEPARTED', timeNs: ms(41), attributes: [doubleAttr('event.ts.monotonic', 5000.541)] },
    ],
  }),
);

const CORE_LINE = scopeLine(
  SCOPE.core,
  span({
    traceId: TRACE,
    spanId: 'eee19b7ec3c1b174',
    parentSpanId: API,
    name: 'llm_core',
    startNs: ms(1),
    attributes: [stringAttr('gen_ai.request.id', 'cmpl-1-0')],
    events: [
      { name: 'journey.QUEUED', timeNs: ms(1.5), attributes: coreAttrs({ phase: 'WAITING', prefillTotal: 512, decodeMax: 2, monotonicNs: 12345678900000n }) },
      { name: 'journey.SCHEDULED', timeNs: ms(2), attributes: coreAttrs({ step: 7, phase: 'PREFILL', scheduleKind: 'FIRST' }) },
      { name: 'journey.FINISHED', timeNs: ms(40), attributes: coreAttrs({ step: 9, phase: 'DECODE', decodeDone: 2, finishStatus: 'stopped' }) },
    ],
    droppedEventsCount: 3,
  }),
);

const STEP_LINE = scopeLine(
  SCOPE.step,
  span({
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b1',
    name: 'scheduler_steps_1',
    startNs: ms(2),
    attributes: [intAttr('scheduler.span_sequence', 1)],
    events: [
      { name: 'step.BATCH_SUMMARY', timeNs: ms(3), attributes: batchSummaryAttrs({ stepId: 7, tsStartNs: 9_000_000_000n, tsEndNs: 9_000_900_000n }) },
      { name: 'step.REQUEST_SNAPSHOT', timeNs: ms(3), attributes: snapshotAttrs({ stepId: 7, requestId: 'cmpl-1-0', effectivePromptLen: 500 }) },
    ],
  }),
);

const UPSTREAM_LINE = upstreamRequestLine({
  spanId: '00000000000000b1',
  startNs: ms(5),
  requestId: 'cmpl-up',
  promptTokens: 32,
  completionTokens: 4,
  ttftS: 0.03125,
  e2eS: 0.125,
});

/** A span vcr does not read, with every kind of attribute value the protos carry (negative ints, bytes, arrays, maps). */
const OTHER_LINE = scopeLine(
  'opentelemetry.instrumentation.fastapi',
  span({
    traceId: TRACE,
    spanId: '1111111111111111',
    name: 'GET /health',
    startNs: ms(50),
    attributes: [
      boolAttr('ok', true),
      intAttr('delta', -5),
      { key: 'raw', value: { bytesValue: 'AAEC' } },
      { key: 'list', value: { arrayValue: { values: [{ stringValue: 'a' }, { doubleValue: 1.5 }] } } },
      { key: 'map', value: { kvlistValue: { values: [{ key: 'k', value: { intValue: '1' } }] } } },
    ],
  }),
);

const LINES = [API_LINE, CORE_LINE, STEP_LINE, UPSTREAM_LINE, OTHER_LINE];

const PROTOS = LINES.map(protoOf);
const JSON_TEXT = Buffer.from(jsonLines(LINES));

const withoutPath = ({ path: _path, ...capture }: OtlpCapture) => capture;

async function readQuietly(path: string, options: { lenient?: LenientLog } = {}): Promise<{ capture: OtlpCapture; warnings: string[] }> {
  const warnings: string[] = [];
  const capture = await readOtlp(path, { ...options, warn: (message) => warnings.push(message) });
  return { capture, warnings };
}

// ------------------------------------------------------------ tests

describe('readOtlp: the file exporter’s other encodings', () => {
  const FORMS: [string, Buffer][] = [
    ['length-prefixed protobuf (format: proto)', framed(PROTOS)],
    ['per-message zstd of protobuf (legacy compression: zstd)', framed(PROTOS.map((proto) => rawZstd(proto)))],
    ['per-message zstd of JSON (legacy format: json, compression: zstd)', framed(LINES.map((line) => rawZstd(Buffer.from(line))))],
    // Native compression finalizes a zstd frame at each flush: two frames here, the first cut mid-line, in small blocks.
    ['a zstd stream of JSON lines (native compression)', Buffer.concat([rawZstd(JSON_TEXT.subarray(0, 1000), 300), rawZstd(JSON_TEXT.subarray(1000), 300)])],
    ['a zstd stream of length-prefixed protobuf (native compression)', Buffer.concat([rawZstd(framed(PROTOS.slice(0, 2))), rawZstd(framed(PROTOS.slice(2)), 500)])],
  ];

  // Every vcr input may also be gzip-compressed by the user.
  const GZIPPED: [string, Buffer][] = FORMS.map(([name, bytes]) => [`${name}, gzip-compressed`, gzipSync(bytes)]);

  it.each([...FORMS, ...GZIPPED])('reads %s to the same capture as JSON lines', async (name, bytes) => {
    const expected = await readOtlp(write('expected.jsonl', JSON_TEXT));
    expect(expected.requests).toHaveLength(1);
    expect(expected.steps).toHaveLength(1);
    expect(expected.stats).toMatchObject({ lines: 5, spans: 5, otherSpans: 1, droppedEvents: 3 });
    const { capture, warnings } = await readQuietly(write(`${name}.bin`, bytes));
    expect(withoutPath(capture)).toStrictEqual(withoutPath(expected));
    expect(warnings).toEqual([]);
  });

  it.each([...FORMS, ...GZIPPED])('detects %s as an OTLP export', async (name, bytes) => {
    expect(await detectInputKind(write(`${name}.detect`, bytes))).toBe('otlp');
  });

  it('names the first message of a zstd stream that is not an OTLP export', async () => {
    const path = write('trace.jsonl.zst', rawZstd(Buffer.from(jsonLines([{ prompt_tokens: 1, output_tokens: 1, ttft_ms: 1 }]))));
    expect(await rejectionMessage(detectInputKind(path))).toBe(
      `${path}:1: expected an engine trace, a step-stats sidecar or an OTLP export (found an object with keys prompt_tokens, output_tokens, ttft_ms)`,
    );
  });

  it('says a file that ends inside its first frame holds no complete message, rather than that it is empty', async () => {
    const expected = '(expected an engine trace, a step-stats sidecar or an OTLP export)';
    const cases = { 'first-cut.pb': framed(PROTOS.slice(0, 1)).subarray(0, 20), 'first-cut.zst': rawZstd(JSON_TEXT).subarray(0, 30) };
    for (const [name, bytes] of Object.entries(cases)) {
      const path = write(name, bytes);
      expect(await rejectionMessage(detectInputKind(path))).toBe(
        `${path}: no complete message: binary data (length-prefixed frames or zstd) that ends inside its first one ${expected}`,
      );
    }
  });

  it('keeps the complete frames of a file that ends inside its last frame, with one warning', async () => {
    const whole = framed(PROTOS);
    const path = write('cut.pb', whole.subarray(0, whole.length - 10));
    const { capture, warnings } = await readQuietly(path);
    const last = PROTOS[4].length;
    expect(warnings).toEqual([`${path}:5: frame 5 ends after ${last - 10} of ${last} bytes (capture still being written?); kept 4 complete frame(s)`]);
    expect(capture.stats).toMatchObject({ lines: 4, spans: 4, otherSpans: 0 });
    expect(capture.requests).toHaveLength(1);

    const inLength = write('cut-length.pb', Buffer.concat([framed(PROTOS.slice(0, 2)), Buffer.from([0, 0])]));
    expect((await readQuietly(inLength)).warnings).toEqual([
      `${inLength}:3: frame 3 ends after 2 of the 4 bytes of its length (capture still being written?); kept 2 complete frame(s)`,
    ]);
  });

  it('keeps the complete lines or frames of a zstd stream that ends inside a zstd frame, with one warning', async () => {
    const third = JSON_TEXT.indexOf('\n', JSON_TEXT.indexOf('\n', JSON_TEXT.indexOf('\n') + 1) + 1) + 1;
    // The flushed first zstd frame ends inside line 4; the second is cut inside its one block.
    const stream = Buffer.concat([rawZstd(JSON_TEXT.subarray(0, third + 20)), rawZstd(JSON_TEXT.subarray(third + 20))]);
    const path = write('cut.jsonl.zst', stream.subarray(0, stream.length - 50));
    const { capture, warnings } = await readQuietly(path);
    expect(warnings).toEqual([
      `${path}: zstd stream ends inside a zstd frame (capture still being written?); kept 3 complete line(s), dropped the partial line 4`,
    ]);
    expect(capture.stats).toMatchObject({ lines: 3, spans: 3 });

    const frames = Buffer.concat([rawZstd(framed(PROTOS.slice(0, 3))), rawZstd(framed(PROTOS.slice(3)))]);
    const framesPath = write('cut.pb.zst', frames.subarray(0, frames.length - 5));
    expect((await readQuietly(framesPath)).warnings).toEqual([
      `${framesPath}: zstd stream ends inside a zstd frame (capture still being written?); kept 3 complete frame(s)`,
    ]);
  });

  it('refuses a frame length beyond 256 MB, naming the frame, even with --lenient', async () => {
    const path = write('absurd.pb', Buffer.concat([framed(PROTOS.slice(0, 1)), Buffer.from([0x40, 0, 0, 0, 0x0a, 0x00])]));
    expect(await rejectionMessage(readOtlp(path, { lenient: new LenientLog() }))).toBe(
      `${path}:2: frame 2 claims 1073741824 bytes, more than the 256 MB limit ` +
        "(expected a 4-byte big-endian length before each message, as the collector's file exporter writes them)",
    );
  });

  const GARBAGE = Buffer.from([0x0a, 0x05, 0x12]);
  const BAD_ZSTD = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff]);

  it('names the frame that is not protobuf, or not zstd', async () => {
    const path = write('garbage.pb', framed([PROTOS[0], GARBAGE, PROTOS[2]]));
    expect(await rejectionMessage(readOtlp(path))).toBe(`${path}:2: frame 2: not a protobuf trace export (index out of range)`);

    const zstdPath = write('bad.zst.pb', framed([rawZstd(PROTOS[0]), BAD_ZSTD]));
    expect(await rejectionMessage(readOtlp(zstdPath))).toBe(`${zstdPath}:2: frame 2: bad zstd data (invalid zstd data)`);
  });

  it('--lenient skips a bad frame whole, like a bad line', async () => {
    const path = write('lenient.pb', framed([PROTOS[0], GARBAGE, ...PROTOS.slice(1)]));
    const lenient = new LenientLog();
    const { capture } = await readQuietly(path, { lenient });
    expect(lenient.skipped).toBe(1);
    expect(lenient.firstReasons).toEqual([`${path}:2: frame 2: not a protobuf trace export (index out of range)`]);
    expect(capture.stats).toMatchObject({ lines: 6, spans: 5 });
    expect(capture.requests).toHaveLength(1);
  });

  it('keeps the complete frames of a gzip file without its trailer; a frame it cuts is reported like any cut', async () => {
    const whole = gzipSync(framed(PROTOS));
    const path = write('cut.pb.gz', whole.subarray(0, whole.length - 30));
    const { capture, warnings } = await readQuietly(path);
    expect(warnings).toHaveLength(1);
    // Where the cut lands inside frame 5 depends on how zlib grouped the deflate blocks.
    expect(warnings[0].startsWith(`${path}:5: frame 5 ends after `)).toBe(true);
    expect(warnings[0].endsWith(` of ${PROTOS[4].length} bytes (capture still being written?); kept 4 complete frame(s)`)).toBe(true);
    expect(capture.stats).toMatchObject({ lines: 4, spans: 4 });
  });

  it('still refuses binary data that is none of the encodings', async () => {
    const path = write('random.bin', Buffer.from([0x00, 0x01, 0x02, 0x03, 0x04, 0x05]));
    expect(await rejectionMessage(readOtlp(path))).toBe(
      `${path}:1: binary data, not an OTLP trace export (expected one {"resourceSpans":[...]} JSON object per line, ` +
        "or the collector file exporter's length-prefixed messages or zstd stream)",
    );
  });
});

describe('vcr on a protobuf export', () => {
  it('reads a length-prefixed protobuf export like its JSON lines', async () => {
    const query = ['sql', 'select count(*) n from journey', '--format', 'csv', '-t'];
    const fromProto = await runVcr([...query, write('cli.pb', framed(PROTOS))]);
    const fromJson = await runVcr([...query, write('cli.jsonl', JSON_TEXT)]);
    expect(fromProto.stderr).toBe('');
    expect(fromProto.code).toBe(0);
    expect(fromProto.stdout).toBe(fromJson.stdout);
    expect(fromProto.stdout).toBe('n\n5\n');
  });
});
