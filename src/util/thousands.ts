/**
 * An integer with comma thousands separators ("1,234,567"), as
 * toLocaleString('en-US') writes it, without the ~20 ms that loading ICU's
 * locale data costs the first call (a CLI prints one summary line per run).
 */
export function thousands(value: number): string {
  const digits = String(Math.abs(Math.round(value)));
  let out = '';
  for (let end = digits.length; end > 0; end -= 3) out = (end > 3 ? ',' : '') + digits.slice(Math.max(0, end - 3), end) + out;
  return value < 0 && digits !== '0' ? `-${out}` : out;
}
