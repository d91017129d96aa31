/**
 * Worker thread entry: encodes the windows the pool sends, one at a time in
 * the order they arrive, and posts each window's bytes back (transferred).
 */
import { parentPort } from 'node:worker_threads';
import { WindowEncoder, type WindowEncoderInit, type WindowJob } from './windowEncoder.js';

type Message = { type: 'init'; init: WindowEncoderInit } | { type: 'job'; job: WindowJob };

if (!parentPort) throw new Error('windowWorker.ts runs as a worker thread');
const port = parentPort;
let encoder: WindowEncoder | undefined;
let queue: Promise<void> = Promise.resolve();

port.on('message', (message: Message) => {
  if (message.type === 'init') {
    encoder = new WindowEncoder(message.init);
    return;
  }
  queue = queue.then(async () => {
    if (!encoder) throw new Error('window job before init');
    const result = await encoder.encode(message.job);
    port.postMessage({ type: 'result', result }, result.chunks.map((chunk) => chunk.buffer as ArrayBuffer));
  });
  queue.catch((error: unknown) => port.postMessage({ type: 'error', window: message.job.window, message: String((error as Error)?.stack ?? error) }));
});
