import type { Project } from '../core/types.js';
import { duckdbApi } from '../engine/duckdb-api.js';
import { quoteList } from '../engine/sql-quote.js';
import { readCurrentSnapshot } from '../snapshot/read-snapshot.js';
import type { ObjectStore } from '../storage/object-store.js';

export interface PublishedCheck {
  readonly model: string;
  readonly snapshot: number;
  readonly files: number;
  /** Rows the manifest says were published. */
  readonly manifestRows: number;
  /** Rows a fresh DuckDB reads back from those files. */
  readonly readRows: number;
}

/**
 * Read every published model back with a fresh DuckDB instance, independent of the engine that
 * wrote it, and compare the row count with the manifest's.
 */
export async function verifyPublished(project: Project, objects: ObjectStore): Promise<PublishedCheck[]> {
  const db = await duckdbApi.DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const conn = await db.connect();
  try {
    const out: PublishedCheck[] = [];
    for (const name of project.models.keys()) {
      const manifest = await readCurrentSnapshot(objects, name);
      if (!manifest) continue;
      const paths = await objects.localPaths(manifest.files.map((f) => f.key));
      let readRows = 0;
      if (paths.length > 0) {
        const reader = await conn.runAndReadAll(`SELECT count(*) AS n FROM read_parquet(${quoteList(paths)})`);
        readRows = Number(reader.getRowObjects()[0]!.n);
      }
      out.push({
        model: name,
        snapshot: manifest.snapshot,
        files: paths.length,
        manifestRows: manifest.rows,
        readRows,
      });
    }
    return out;
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}
