/**
 * Closed-loop scenarios: a fixed number of clients, each with at most one
 * request in flight. A client sends its next request when its previous one
 * has departed (api.DEPARTED / api.ABORTED), after an optional exponential
 * think time. Every client starts at t = 0. A request's `concurrency` is the
 * client count.
 */
import type { GenConfig } from './config.js';
import { MinHeap } from '../util/minHeap.js';
import type { OutputPlan, RequestShaper } from './requestShape.js';
import type { Rng } from './rng.js';
import type { IssueLimit, RequestSpec, Workload } from './workload.js';

abstract class ClientPool implements Workload {
  /** Client ids by the time they send their next request. */
  private readonly due = new MinHeap<number>();
  private issued = 0;

  constructor(
    protected readonly config: GenConfig,
    protected readonly shaper: RequestShaper,
    private readonly timing: Rng,
    private readonly limit: IssueLimit,
  ) {
    const clients = Math.min(config.concurrency, limit.requests ?? config.concurrency);
    for (let client = 0; client < clients; client++) this.due.push(0, client);
  }

  /** The prompt token ids of `client`'s next request. */
  protected abstract nextPrompt(client: number): number[];

  /** Called before the client's next request is made, with what it received. */
  protected abstract received(client: number, outputIds: readonly number[]): void;

  peekArrivalUs(): number | undefined {
    const us = this.due.peekKey();
    if (us === undefined || (this.limit.untilUs !== undefined && us >= this.limit.untilUs)) return undefined;
    return us;
  }

  takeArrival(): RequestSpec {
    const apiArrivalUs = this.peekArrivalUs()!;
    const client = this.due.pop();
    const promptIds = this.nextPrompt(client);
    const plan: OutputPlan = this.shaper.outputPlan(this.config.outputMedian);
    return { index: this.issued++, apiArrivalUs, promptIds, concurrency: this.config.concurrency, client, ...plan };
  }

  onDeparted(spec: RequestSpec, departedUs: number, outputIds: readonly number[]): void {
    const client = spec.client!;
    this.received(client, outputIds);
    if (this.limit.requests !== undefined && this.issued + this.due.size >= this.limit.requests) return;
    const thinkUs = this.config.thinkTimeMs > 0 ? Math.round(this.timing.exponential(this.config.thinkTimeMs * 1000)) : 0;
    this.due.push(departedUs + thinkUs, client);
  }
}

/** closed: independent single-turn requests, `concurrency` clients. */
export class ClosedLoopWorkload extends ClientPool {
  protected nextPrompt(): number[] {
    return this.shaper.appendTokens([], this.shaper.promptLength(this.config.promptMedian));
  }

  protected received(): void {}
}

interface Session {
  prompt: number[];
  lastOutput: readonly number[];
  turn: number;
}

/**
 * multiturn: `concurrency` chat sessions of up to `turns` turns. Each turn's
 * prompt = previous prompt + previous output + new user text, so a turn's
 * prompt blocks are the previous turn's blocks plus new ones and the prefix
 * cache hits. A session that would outgrow --prompt-max ends early; the
 * client then starts a new one.
 */
export class MultiturnWorkload extends ClientPool {
  private readonly sessions = new Map<number, Session>();

  protected nextPrompt(client: number): number[] {
    const session = this.sessions.get(client);
    if (session !== undefined && session.turn < this.config.turns) {
      const userTokens = this.shaper.userTurnLength();
      if (session.prompt.length + session.lastOutput.length + userTokens <= this.config.promptMax) {
        const prompt = this.shaper.appendTokens(session.prompt.concat(session.lastOutput), userTokens);
        this.sessions.set(client, { prompt, lastOutput: [], turn: session.turn + 1 });
        return prompt;
      }
    }
    const prompt = this.shaper.appendTokens([], this.shaper.promptLength(this.config.promptMedian));
    this.sessions.set(client, { prompt, lastOutput: [], turn: 1 });
    return prompt;
  }

  protected received(client: number, outputIds: readonly number[]): void {
    this.sessions.get(client)!.lastOutput = outputIds.slice();
  }
}
