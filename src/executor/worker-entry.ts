// Entry point of a worker process started by `sluice run` (child_process.fork with an IPC
// channel). Its one argument is a JSON object: { projectRoot, id, shareOf }.
// The parent sends { type: 'wake' } when it queues work; the worker reports each item it
// finishes as { type: 'item', event }. If the parent goes away, the worker stops.
if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = '8';

const { workerMain } = await import('./worker-main.js');
const { Wakeup } = await import('../core/wakeup.js');

const args = JSON.parse(process.argv[2] ?? '{}') as { projectRoot: string; id: string; shareOf: number };
const wakeup = new Wakeup();
const stop = new AbortController();
process.on('message', (m: { type?: string }) => {
  if (m?.type === 'wake') wakeup.notify();
});
process.on('disconnect', () => stop.abort());
try {
  await workerMain({
    projectRoot: args.projectRoot,
    id: args.id,
    shareOf: args.shareOf,
    wakeup,
    stop: stop.signal,
    onEvent: (event) => process.send?.({ type: 'item', event }),
  });
  process.exitCode = 0;
} catch (err) {
  process.stderr.write(`sluice worker ${args.id}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  if (process.connected) process.disconnect();
}
