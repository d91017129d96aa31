/**
 * Folds decoded export lines into an OtlpCapture: joins each request's API
 * and core spans, places sampled steps on the epoch timeline, and re-bases
 * every time to ms since the file's first timestamp. Lines arrive in no time
 * order, so nothing is re-based until the whole file has been read.
 */
import type {
  JourneyEvent,
  JourneyRequest,
  OtlpCapture,
  OtlpReadStats,
  OtlpStepSummary,
  RequestSnapshot,
  UpstreamRequestSpan,
} from '../../capture/otlpRecords.js';
import type { ApiSpan, CoreSpan, DecodedExport, DecodedSpan } from './spans.js';

interface Located<S> {
  span: S;
  line: number;
}

const NS_PER_MS = 1e6;

function compareBigint(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const spanKey = (traceId: string, spanId: string): string => `${traceId}/${spanId}`;

export class OtlpCaptureBuilder {
  private readonly apiSpans = new Map<string, Located<ApiSpan>>();
  private readonly coreSpans: Located<CoreSpan>[] = [];
  private readonly steps: OtlpStepSummary[] = [];
  private readonly snapshots: RequestSnapshot[] = [];
  private readonly upstream: UpstreamRequestSpan[] = [];
  private readonly seenSpans = new Set<string>();
  private readonly unknownEvents = new Map<string, number>();
  private earliestNs: bigint | undefined;
  private serviceName: string | undefined;
  private model: string | undefined;
  private spans = 0;
  private events = 0;
  private droppedEvents = 0;
  private spansWithDroppedEvents = 0;
  private otherSpans = 0;
  private duplicateSpans = 0;

  /** Commits one fully decoded line. */
  add(decoded: DecodedExport, line: number): void {
    this.spans += decoded.spans.length + decoded.otherSpans;
    this.otherSpans += decoded.otherSpans;
    this.serviceName ??= decoded.serviceName;
    for (const span of decoded.spans) {
      const key = spanKey(span.traceId, span.spanId);
      if (this.seenSpans.has(key)) {
        this.duplicateSpans++;
        continue;
      }
      this.seenSpans.add(key);
      this.addSpan(span, key, line);
    }
  }

  private addSpan(span: DecodedSpan, key: string, line: number): void {
    this.events += span.eventCount;
    this.droppedEvents += span.droppedEvents;
    if (span.droppedEvents > 0) this.spansWithDroppedEvents++;
    for (const name of span.unknownEvents) this.unknownEvents.set(name, (this.unknownEvents.get(name) ?? 0) + 1);
    this.seeTime(span.startNs);
    switch (span.role) {
      case 'api':
        this.apiSpans.set(key, { span, line });
        this.model ??= span.attributes.model;
        for (const event of span.events) this.seeTime(event.timeNs);
        break;
      case 'core':
        this.coreSpans.push({ span, line });
        for (const event of span.events) this.seeTime(event.timeNs);
        break;
      case 'stepWindow':
        // Step starts are placed (and seen) in finish(), once the clock offset is known.
        for (const step of span.steps) {
          if (step.timeNs !== undefined) this.seeTime(step.timeNs);
          this.steps.push(step);
        }
        for (const snapshot of span.snapshots) {
          this.seeTime(snapshot.timeNs);
          this.snapshots.push(snapshot);
        }
        break;
      case 'upstream':
        this.model ??= span.model;
        span.request.line = line;
        this.upstream.push(span.request);
        break;
    }
  }

  private seeTime(ns: bigint): void {
    if (this.earliestNs === undefined || ns < this.earliestNs) this.earliestNs = ns;
  }

  finish(path: string, lines: number): OtlpCapture {
    const stepStartsNs = this.placeSteps();
    for (const ns of stepStartsNs) this.seeTime(ns);
    const epochNs = this.earliestNs ?? 0n;
    // Subtract in bigint first: epoch ns exceed 2^53, their differences do not.
    const toMs = (ns: bigint): number => Number(ns - epochNs) / NS_PER_MS;

    this.steps.forEach((step, i) => (step.startMs = toMs(stepStartsNs[i])));
    const steps = this.steps.slice().sort((a, b) => a.stepId - b.stepId);
    for (const snapshot of this.snapshots) snapshot.tsMs = toMs(snapshot.timeNs);
    const snapshots = this.snapshots.slice().sort((a, b) => a.stepId - b.stepId || compareBigint(a.timeNs, b.timeNs));
    for (const request of this.upstream) request.arrivalMs = toMs(request.arrivalNs);
    const upstream = this.upstream.slice().sort((a, b) => compareBigint(a.arrivalNs, b.arrivalNs));
    for (const { span } of [...this.apiSpans.values(), ...this.coreSpans]) {
      for (const event of span.events) event.tsMs = toMs(event.timeNs);
    }
    const { requests, unjoinedApiSpans, unjoinedCoreSpans } = this.joinRequests();

    const stats: OtlpReadStats = {
      lines,
      spans: this.spans,
      events: this.events,
      unknownEvents: Object.fromEntries(this.unknownEvents),
      droppedEvents: this.droppedEvents,
      spansWithDroppedEvents: this.spansWithDroppedEvents,
      unjoinedCoreSpans,
      unjoinedApiSpans,
      otherSpans: this.otherSpans,
      duplicateSpans: this.duplicateSpans,
    };
    const resource: OtlpCapture['resource'] = {};
    if (this.serviceName !== undefined) resource.serviceName = this.serviceName;
    if (this.model !== undefined) resource.model = this.model;
    return { path, epochNs, requests, steps, snapshots, upstream, resource, stats };
  }

  /**
   * Epoch start of each step, parallel to this.steps. `step.ts_*_ns` are
   * time.monotonic_ns() readings; the BATCH_SUMMARY event is stamped with
   * epoch time just after ts_end_ns is read, so event time − ts_end_ns is the
   * monotonic→epoch offset plus a small emission delay. The smallest such
   * difference in the file is the best estimate of the offset; one offset
   * for all steps keeps their spacing exactly that of ts_start_ns.
   */
  private placeSteps(): bigint[] {
    let offset: bigint | undefined;
    for (const step of this.steps) {
      if (step.timeNs === undefined) continue;
      const candidate = step.timeNs - step.tsEndNs;
      if (offset === undefined || candidate < offset) offset = candidate;
    }
    return this.steps.map((step) => step.tsStartNs + (offset ?? 0n));
  }

  /**
   * One request per core span, joined to its API span through the shared
   * trace id and parentSpanId = the API span's spanId (an API span with n > 1
   * engine requests yields n requests sharing its API events); API spans
   * with no core child, and core spans with no API parent, stand alone.
   * Requests are ordered by their first span start, then file line.
   */
  private joinRequests(): { requests: JourneyRequest[]; unjoinedApiSpans: number; unjoinedCoreSpans: number } {
    const childrenByApiKey = new Map<string, Located<CoreSpan>[]>();
    const orphans: Located<CoreSpan>[] = [];
    for (const core of this.coreSpans) {
      const parent = core.span.parentSpanId === undefined ? undefined : spanKey(core.span.traceId, core.span.parentSpanId);
      if (parent === undefined || !this.apiSpans.has(parent)) {
        orphans.push(core);
        continue;
      }
      const siblings = childrenByApiKey.get(parent);
      if (siblings) siblings.push(core);
      else childrenByApiKey.set(parent, [core]);
    }

    const located: { request: JourneyRequest; startNs: bigint }[] = [];
    let unjoinedApiSpans = 0;
    for (const [key, api] of this.apiSpans) {
      const children = childrenByApiKey.get(key);
      if (!children) {
        unjoinedApiSpans++;
        located.push(buildRequest(api, undefined));
      } else {
        for (const core of children) located.push(buildRequest(api, core));
      }
    }
    for (const core of orphans) located.push(buildRequest(undefined, core));
    located.sort((a, b) => compareBigint(a.startNs, b.startNs) || a.request.line - b.request.line);
    return { requests: located.map((entry) => entry.request), unjoinedApiSpans, unjoinedCoreSpans: orphans.length };
  }
}

function buildRequest(api: Located<ApiSpan> | undefined, core: Located<CoreSpan> | undefined): { request: JourneyRequest; startNs: bigint } {
  const first = (api ?? core) as Located<ApiSpan | CoreSpan>;
  const request: JourneyRequest = {
    traceId: first.span.traceId,
    // Ties in time: API events first (they are listed first and the sort is stable), then file order.
    events: sortByTime([...(api?.span.events ?? []), ...(core?.span.events ?? [])]),
    line: Math.min(api?.line ?? Infinity, core?.line ?? Infinity),
  };
  let startNs = first.span.startNs;
  if (api) {
    request.apiSpanId = api.span.spanId;
    Object.assign(request, api.span.attributes);
  }
  if (core) {
    request.coreSpanId = core.span.spanId;
    if (core.span.coreRequestId !== undefined) request.coreRequestId = core.span.coreRequestId;
    if (core.span.startNs < startNs) startNs = core.span.startNs;
  }
  return { request, startNs };
}

function sortByTime(events: JourneyEvent[]): JourneyEvent[] {
  return events.sort((a, b) => compareBigint(a.timeNs, b.timeNs));
}
