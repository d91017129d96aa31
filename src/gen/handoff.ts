/**
 * The API layer between clients and the engine: a request that arrives at
 * the API (api.ARRIVED) reaches the engine queue (api.HANDOFF_TO_CORE =
 * journey.QUEUED) after the alpha ingress time, which grows with the prompt
 * — so engine arrival order can differ from API arrival order.
 */
import type { GenConfig } from './config.js';
import { apiInUs } from './costModel.js';
import { MinHeap } from '../util/minHeap.js';
import { SimRequest } from './simRequest.js';
import type { Workload } from './workload.js';

export class ApiHandoff {
  /** Arrived at the API, not yet at the engine, by engine arrival time. */
  private readonly inTransit = new MinHeap<SimRequest>();
  issued = 0;

  constructor(
    private readonly workload: Workload,
    private readonly config: GenConfig,
  ) {}

  /** When the next request reaches the engine, or undefined when no more will. */
  nextQueuedUs(): number | undefined {
    while (true) {
      const head = this.inTransit.peekKey();
      const nextArrival = this.workload.peekArrivalUs();
      // A request arriving later than `head` reaches the engine later than `head` too.
      if (nextArrival === undefined || (head !== undefined && nextArrival > head)) return head;
      this.admitOne();
    }
  }

  /** Hands every request that reaches the engine at or before `us` to `enqueue`, in engine arrival order. */
  drainUntil(us: number, enqueue: (request: SimRequest) => void): void {
    while ((this.workload.peekArrivalUs() ?? Infinity) <= us) this.admitOne();
    while ((this.inTransit.peekKey() ?? Infinity) <= us) enqueue(this.inTransit.pop());
  }

  private admitOne(): void {
    const spec = this.workload.takeArrival();
    const queuedUs = spec.apiArrivalUs + apiInUs(this.config, spec.promptIds.length);
    this.inTransit.push(queuedUs, new SimRequest(spec, queuedUs, this.config.blockSize));
    this.issued++;
  }
}
