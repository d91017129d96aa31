/**
 * A reusable argument list for one event, so the per-gap path fills the same
 * typed buffers instead of allocating an object per slice. Both sinks read it
 * synchronously during the call that receives it. Arg names are registered
 * once (`argName`) and travel as small ids, so a sink keeps its per-name work
 * (an interned iid, a JSON key) in an array instead of hashing the name on
 * every event.
 */
export const ARG_INT = 0;
/** A double (ms durations, ratios). */
export const ARG_DOUBLE = 1;
/** A string from a small vocabulary (finish reasons, step kinds): interned in the proto form. */
export const ARG_LABEL = 2;
/** A free-form string (request ids): written inline. */
export const ARG_TEXT = 3;
/** A run of ints from a shared column (token ids). */
export const ARG_INT_LIST = 4;
export type ArgKind = typeof ARG_INT | typeof ARG_DOUBLE | typeof ARG_LABEL | typeof ARG_TEXT | typeof ARG_INT_LIST;

const MAX_ARGS = 24;
const NO_INTS = new Int32Array(0);

/** Id of a registered arg name. */
export type ArgName = number & { readonly __argName: never };

const argNames: string[] = [];
const argIds = new Map<string, ArgName>();

/** The id of `name`, registering it on first use (call at module load, keep the id). */
export function argName(name: string): ArgName {
  let id = argIds.get(name);
  if (id === undefined) {
    id = argNames.length as ArgName;
    argNames.push(name);
    argIds.set(name, id);
  }
  return id;
}

export function argNameText(id: ArgName): string {
  return argNames[id];
}

export class EventArgs {
  length = 0;
  readonly names = new Int32Array(MAX_ARGS) as Int32Array & { [index: number]: ArgName };
  readonly kinds = new Uint8Array(MAX_ARGS);
  readonly numbers = new Float64Array(MAX_ARGS);
  readonly strings: string[] = [];
  /** The int list of an ARG_INT_LIST arg (at most one per event): listSource[listFrom, listTo). */
  listSource: Int32Array = NO_INTS;
  listFrom = 0;
  listTo = 0;

  clear(): this {
    this.length = 0;
    return this;
  }

  private push(name: ArgName, kind: ArgKind): number {
    const i = this.length++;
    this.names[i] = name;
    this.kinds[i] = kind;
    return i;
  }

  int(name: ArgName, value: number): this {
    this.numbers[this.push(name, ARG_INT)] = value;
    return this;
  }

  double(name: ArgName, value: number): this {
    this.numbers[this.push(name, ARG_DOUBLE)] = value;
    return this;
  }

  label(name: ArgName, value: string): this {
    this.strings[this.push(name, ARG_LABEL)] = value;
    return this;
  }

  text(name: ArgName, value: string): this {
    this.strings[this.push(name, ARG_TEXT)] = value;
    return this;
  }

  intList(name: ArgName, source: Int32Array, from: number, to: number): this {
    this.push(name, ARG_INT_LIST);
    this.listSource = source;
    this.listFrom = from;
    this.listTo = to;
    return this;
  }
}
