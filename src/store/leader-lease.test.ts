import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropSchema, freshSchemaUrl, ifPostgresIsUp } from '../../test/helpers/postgres-schemas.js';
import { leaderLeaseContract } from './leader-lease.contract.js';
import { PostgresMetadataStore } from './postgres/postgres-metadata-store.js';
import { SqliteMetadataStore } from './sqlite/sqlite-metadata-store.js';

leaderLeaseContract('SqliteMetadataStore (file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-lease-'));
  const file = join(dir, 'metadata.db');
  return {
    store: new SqliteMetadataStore(file),
    connect: async () => new SqliteMetadataStore(file),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

await ifPostgresIsUp(() =>
  leaderLeaseContract('PostgresMetadataStore', async () => {
    const { url, schema } = freshSchemaUrl();
    return {
      store: new PostgresMetadataStore(url),
      connect: async () => new PostgresMetadataStore(url),
      cleanup: () => dropSchema(schema),
    };
  }),
);
