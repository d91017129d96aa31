/**
 * Exact decimal text for clock values, without formatting a double:
 * formatting a double costs several times more than formatting small
 * integers, so values are split into integer parts first. Output equals
 * JavaScript's own formatting of the same value.
 */

/** "", ".001" … ".999" without trailing zeros: the sub-millisecond part of a µs time. */
const FRACTION_TEXT: string[] = Array.from({ length: 1000 }, (_, frac) => (frac === 0 ? '' : String(frac / 1000).slice(1)));

/** Integer µs as ms text: 12345 → "12.345", 12300 → "12.3", 12000 → "12" (same as String(us / 1000)). */
export function msText(us: number): string {
  const whole = Math.floor(us / 1000);
  return `${whole}${FRACTION_TEXT[us - whole * 1000]}`;
}

/** A non-negative safe integer as decimal text, via two parts below 2^31. */
export function integerText(value: number): string {
  if (value < 1e9) return `${value}`;
  const high = Math.floor(value / 1e9);
  const low = `${value - high * 1e9}`;
  return `${high}${'000000000'.slice(low.length)}${low}`;
}
