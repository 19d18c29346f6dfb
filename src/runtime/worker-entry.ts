// Entry point of a worker process started by `sluice run` (child_process.fork with an IPC
// channel). Its one argument is a JSON object: { id }. The messages are protocol/worker-message.ts.
// The parent forks its workers early, while it still loads and validates the project: a worker
// loads its code (Node, DuckDB, the stores), says { type: 'ready' }, and waits for
// { type: 'start', settings, shareOf } (the project's validated settings, and how many workers
// share this machine's memory) before it opens the stores,
// registers and claims. Stopped (SIGTERM) or orphaned before that, it exits having touched nothing.
// The parent sends { type: 'wake' } when it queues work; the worker reports each item it
// finishes as { type: 'item', event }. If the parent goes away (killed, even with -9), the
// channel closes: the worker stops as on SIGTERM (claims nothing new, hands back the item in hand,
// deregisters) and exits 0. Messages to a gone parent are dropped, never thrown
// (ERR_IPC_CHANNEL_CLOSED), and a closed stdout/stderr (EPIPE) is not a crash.
import type { ProjectSettings } from '../core/types.js';
import { parseJsonMessage } from '../protocol/parse-message.js';
import { errorMessage } from '../core/errors.js';
import {
  parseToWorkerMessage,
  workerArgsSchema,
  type FromWorkerMessage,
  type ToWorkerMessage,
} from '../protocol/worker-message.js';

if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = '8';

/** To the parent, if it is still there: a send on a closed channel must not become an 'error' event. */
const tell = (message: FromWorkerMessage): void => {
  if (process.connected) process.send?.(message, undefined, {}, () => undefined);
};
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined); // EPIPE: the reader is gone
process.on('error', () => undefined); // a send that raced the channel closing

const args = parseJsonMessage(workerArgsSchema, process.argv[2] ?? '{}', 'the worker process argument');
const stop = new AbortController();
let wake = (): void => {};
let start: (how: { settings: ProjectSettings; shareOf: number }) => void = () => {};
const started = new Promise<{ settings: ProjectSettings; shareOf: number } | undefined>((resolve) => {
  start = resolve;
  stop.signal.addEventListener('abort', () => resolve(undefined));
});
// Listen before loading anything: a message that arrives while modules load must not be lost.
process.on('message', (message: unknown) => {
  let m: ToWorkerMessage;
  try {
    m = parseToWorkerMessage(message, args.id);
  } catch (err) {
    // A parent that speaks another protocol (a different sluice version): start nothing.
    process.stderr.write(`sluice worker ${args.id}: ${errorMessage(err)}\n`);
    stop.abort();
    return;
  }
  if (m.type === 'wake') wake();
  else start({ settings: m.settings, shareOf: m.shareOf });
});
process.on('disconnect', () => stop.abort());

try {
  const { workerMain } = await import('./worker-main.js');
  const { Wakeup } = await import('../core/wakeup.js');
  const wakeup = new Wakeup();
  wake = () => wakeup.notify();
  tell({ type: 'ready' });
  const how = await started;
  if (how !== undefined) {
    await workerMain({
      projectRoot: how.settings.root,
      settings: how.settings,
      id: args.id,
      shareOf: how.shareOf,
      wakeup,
      stop: stop.signal,
      onEvent: (event) => tell({ type: 'item', event }),
    });
  }
  process.exitCode = 0;
} catch (err) {
  // One line, no stack (a gone stderr is ignored above).
  process.stderr.write(`sluice worker ${args.id}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  if (process.connected) process.disconnect();
}
