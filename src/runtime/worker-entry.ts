// Entry point of a worker process started by `sluice run` (child_process.fork with an IPC
// channel). Its one argument is a JSON object: { id }.
// The parent forks its workers early, while it still loads and validates the project: a worker
// loads its code (Node, DuckDB, the stores), says { type: 'ready' }, and waits for
// { type: 'start', settings, shareOf } (the project's validated settings, and how many workers
// share this machine's memory) before it opens the stores,
// registers and claims. Stopped (SIGTERM) or orphaned before that, it exits having touched nothing.
// The parent sends { type: 'wake' } when it queues work; the worker reports each item it
// finishes as { type: 'item', event }. If the parent goes away, the worker stops.
import type { ProjectSettings } from './open-runtime.js';

if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = '8';

const args = JSON.parse(process.argv[2] ?? '{}') as { id: string };
const stop = new AbortController();
let wake = (): void => {};
let start: (how: { settings: ProjectSettings; shareOf: number }) => void = () => {};
const started = new Promise<{ settings: ProjectSettings; shareOf: number } | undefined>((resolve) => {
  start = resolve;
  stop.signal.addEventListener('abort', () => resolve(undefined));
});
// Listen before loading anything: a message that arrives while modules load must not be lost.
process.on('message', (m: { type?: string; settings?: ProjectSettings; shareOf?: number }) => {
  if (m?.type === 'wake') wake();
  else if (m?.type === 'start' && m.settings) start({ settings: m.settings, shareOf: m.shareOf ?? 1 });
});
process.on('disconnect', () => stop.abort());

try {
  const { workerMain } = await import('./worker-main.js');
  const { Wakeup } = await import('../core/wakeup.js');
  const wakeup = new Wakeup();
  wake = () => wakeup.notify();
  if (process.connected) process.send?.({ type: 'ready' });
  const how = await started;
  if (how !== undefined) {
    await workerMain({
      projectRoot: how.settings.root,
      settings: how.settings,
      id: args.id,
      shareOf: how.shareOf,
      wakeup,
      stop: stop.signal,
      onEvent: (event) => process.send?.({ type: 'item', event }),
    });
  }
  process.exitCode = 0;
} catch (err) {
  process.stderr.write(`sluice worker ${args.id}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  if (process.connected) process.disconnect();
}
