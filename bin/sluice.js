#!/usr/bin/env node
// DuckDB's Node bindings run each query on a libuv thread-pool thread for its whole duration;
// the pool must be larger than the number of queries in flight (see docs/adr/0003). The pool
// size is read when the pool starts, so it is set here, before anything touches it.
if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = '16';
const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
