import { parentPort } from 'node:worker_threads';
import { runTask, type Task } from './tasks.js';

/** A worker thread: runs the tasks it is sent, one at a time, and posts each result back. */
if (!parentPort) throw new Error('worker.ts must run as a worker thread');
const port = parentPort;
port.on('message', (task: Task) => {
  try {
    port.postMessage({ ok: true, result: runTask(task) });
  } catch (err) {
    port.postMessage({
      ok: false,
      error: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
  }
});
