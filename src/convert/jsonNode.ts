/**
 * Typed access to a parsed whole-file JSON document. A benchmark result has
 * no useful line numbers (vLLM writes it on one line), so every error names
 * the file and the value's JSON path instead, worded like the engine-trace
 * field checks (ingest/fields.ts):
 *   `run.json: benchmarks[0].requests.successful[3].prompt_tokens must be an integer >= 0 (got "x")`
 *   `run.json: missing required key benchmarks[0].requests (expected an object)`
 */
import { InputError } from '../ingest/errors.js';
import { describe, type JsonObject } from '../ingest/fields.js';

export class JsonNode {
  private constructor(
    /** The file the document came from, as the user named it. */
    readonly file: string,
    readonly value: unknown,
    /** The containing node and this value's key or index in it; none for the root. */
    private readonly parent?: JsonNode,
    private readonly step?: string | number,
  ) {}

  static root(file: string, value: unknown): JsonNode {
    return new JsonNode(file, value);
  }

  /**
   * JSON path from the document root, e.g. `benchmarks[0].requests`; '' for
   * the root. Built when asked for (errors, skip reasons), not per value read.
   */
  get path(): string {
    if (this.parent === undefined) return '';
    const base = this.parent.path;
    if (typeof this.step === 'number') return `${base}[${this.step}]`;
    return base === '' ? `${this.step}` : `${base}.${this.step}`;
  }

  /** JSON `null` or a missing key (Python writers emit None for what they did not record). */
  get absent(): boolean {
    return this.value === undefined || this.value === null;
  }

  /** The member `name` of this object (a JsonNode over undefined when the key is missing). */
  key(name: string): JsonNode {
    return new JsonNode(this.file, this.object()[name], this, name);
  }

  /** The elements of this array. */
  items(): JsonNode[] {
    return this.array().map((item, i) => new JsonNode(this.file, item, this, i));
  }

  /** This array as finite numbers (each >= min when min is given), without a node per element: long gap lists stay cheap. */
  numbers(min?: number): number[] {
    const items = this.array();
    for (let i = 0; i < items.length; i++) {
      if (!isFiniteAtLeast(items[i], min)) new JsonNode(this.file, items[i], this, i).number(min);
    }
    return items as number[];
  }

  object(): JsonObject {
    if (typeof this.value !== 'object' || this.value === null || Array.isArray(this.value)) this.invalid('an object');
    return this.value as JsonObject;
  }

  array(): unknown[] {
    if (!Array.isArray(this.value)) this.invalid('an array');
    return this.value;
  }

  /** A safe integer >= min (token counts, concurrency). */
  int(min = 0): number {
    if (!Number.isSafeInteger(this.value) || (this.value as number) < min) this.invalid(`an integer >= ${min}`);
    return this.value as number;
  }

  /** A finite number, >= min when min is given (durations take min 0). */
  number(min?: number): number {
    if (!isFiniteAtLeast(this.value, min)) this.invalid(min === undefined ? 'a finite number' : `a finite number >= ${min}`);
    return this.value;
  }

  string(): string {
    if (typeof this.value !== 'string') this.invalid('a string');
    return this.value;
  }

  /** `read(this)`, or undefined when the value is null or missing. */
  optional<T>(read: (node: JsonNode) => T): T | undefined {
    return this.absent ? undefined : read(this);
  }

  /**
   * `read(this)`, or undefined for JSON `null` (the tool recorded "unknown");
   * a missing key is still an error: the tool always writes this key.
   */
  nullable<T>(read: (node: JsonNode) => T): T | undefined {
    return this.value === null ? undefined : read(this);
  }

  /** An input error about this value: `PATH: JSON_PATH reason` (`PATH: reason` for the whole document). */
  fail(reason: string): never {
    throw new InputError(this.file, undefined, this.path === '' ? reason : `${this.path} ${reason}`);
  }

  private invalid(expected: string): never {
    const label = this.path === '' ? 'the document' : this.path;
    if (this.value === undefined) throw new InputError(this.file, undefined, `missing required key ${label} (expected ${expected})`);
    throw new InputError(this.file, undefined, `${label} must be ${expected} (got ${describe(this.value)})`);
  }
}

function isFiniteAtLeast(value: unknown, min: number | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value) && (min === undefined || value >= min);
}
