import { createRequire } from 'node:module';

/**
 * `@duckdb/node-api`, loaded with `require`. The package is CommonJS: an ES `import` of it makes
 * Node scan the source of every module it re-exports (about 120) for their export names before
 * running them, which costs each process that loads DuckDB about 100 ms at start-up (every worker
 * process of a run, on its critical path). `require` runs them without that scan. Import types
 * from the package as usual (`import type`, erased); take values from here.
 */
export const duckdbApi = createRequire(import.meta.url)('@duckdb/node-api') as typeof import('@duckdb/node-api');
