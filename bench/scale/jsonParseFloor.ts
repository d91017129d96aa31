/**
 * The floor for any JS reader of a JSONL file: stream it, split lines, one
 * bare JSON.parse per line, nothing else. Run as its own process by the scale
 * bench, like `vcr proto`, so both pay node's start-up.
 * Usage: node dist/bench/scale/jsonParseFloor.js FILE
 */
import { createReadStream } from 'node:fs';

let pending = '';
let lines = 0;
for await (const chunk of createReadStream(process.argv[2], { encoding: 'utf8', highWaterMark: 1 << 20 })) {
  const parts = (pending + (chunk as string)).split('\n');
  pending = parts.pop() ?? '';
  for (const line of parts) {
    if (line.length === 0) continue;
    JSON.parse(line);
    lines++;
  }
}
if (pending.length > 0) {
  JSON.parse(pending);
  lines++;
}
process.stdout.write(`${lines}\n`);
