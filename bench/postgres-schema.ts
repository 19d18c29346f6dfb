import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * A fresh schema of the PostgreSQL at `baseUrl` for one benchmark (`?schema=` in the URL the
 * metadata store takes), dropped afterwards, so runs never see each other's rows.
 */
export async function withBenchSchema<T>(baseUrl: string, fn: (url: string) => Promise<T>): Promise<T> {
  const schema = `sluice_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const url = new URL(baseUrl);
  url.searchParams.set('schema', schema);
  try {
    return await fn(url.toString());
  } finally {
    const admin = new pg.Client({ connectionString: baseUrl });
    await admin.connect();
    try {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await admin.end();
    }
  }
}
