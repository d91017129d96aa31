/**
 * The shape of a report's JSON: every key path, arrays collapsed to `[]`,
 * sorted. Tests pin it so a schema change is a deliberate, reviewed edit
 * (of the test and of docs/reports.md).
 */
export function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) {
    const paths = new Set<string>([`${prefix}[]`]);
    for (const item of value) for (const path of keyPaths(item, `${prefix}[]`)) paths.add(path);
    return [...paths].sort();
  }
  if (value !== null && typeof value === 'object') {
    const paths: string[] = [];
    for (const [key, child] of Object.entries(value)) {
      const path = prefix ? `${prefix}.${key}` : key;
      paths.push(path, ...keyPaths(child, path));
    }
    return [...new Set(paths)].sort();
  }
  return [];
}

/** keyPaths of the value after a JSON round trip (what --json prints). */
export function jsonKeyPaths(value: unknown): string[] {
  return keyPaths(JSON.parse(JSON.stringify(value)));
}
