import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createObjectStore } from '../../src/storage/create-object-store.js';
import type { ObjectStore } from '../../src/storage/object-store.js';
import { createMetadataStore } from '../../src/store/create-metadata-store.js';
import type { MetadataStore } from '../../src/store/metadata-store.js';

/**
 * A metadata store and an object store that sluice processes reach by URL (`--store`,
 * `--objects`), as workers on other machines would, with a way for the test to open them.
 */
export interface StoresUnderTest {
  readonly label: string;
  readonly store: string;
  readonly objects: string;
  /** Environment the sluice processes need (credentials, endpoints). */
  readonly env: NodeJS.ProcessEnv;
  /** Secrets in `store`, `objects` or `env` that must never appear in any output. */
  readonly secrets: readonly string[];
  openStore(): Promise<MetadataStore>;
  openObjects(): ObjectStore;
  cleanup(): Promise<void>;
}

/** The embedded default reached by URL: a SQLite file and a local folder in a fresh temp folder. */
export async function localStores(): Promise<StoresUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-stores-'));
  const store = `sqlite:${join(dir, 'shared.db')}`;
  const objects = join(dir, 'objects');
  return {
    label: 'SQLite + local folder',
    store,
    objects,
    env: {},
    secrets: [],
    async openStore() {
      const s = createMetadataStore(store, dir);
      await s.migrate();
      return s;
    },
    openObjects: () => createObjectStore(objects, dir),
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The scale-out stores: a fresh schema of the PostgreSQL on 127.0.0.1:5432 (the one CI uses) and
 * a bucket of an s3rver started on a loopback port, behind the test proxy that honours
 * `If-None-Match: *` as AWS S3 does (s3rver ignores it; without it publishing uses the claim
 * protocol, where a coordinator killed in the middle of a commit blocks that model's next
 * snapshot until its claims are removed: ADR 0008). Credentials reach sluice processes only
 * through the environment, as in production.
 */
export async function postgresS3Stores(): Promise<StoresUnderTest> {
  const { freshSchemaUrl, dropSchema, dropSchemasOfThisProcess } = await import('./postgres-schemas.js');
  const { startS3rver } = await import('./s3-test-server.js');
  const { startS3Proxy } = await import('./s3-test-proxy.js');
  const { url: plainUrl, schema } = freshSchemaUrl();
  // Secrets that must never be printed: a password in the URL (trust auth ignores it) and the
  // S3 secret key (s3rver checks the key id only).
  const pgPassword = 'pg-Secret-9431';
  const s3Secret = 's3-Secret-7719';
  const withPassword = new URL(plainUrl);
  withPassword.password = pgPassword;
  const url = withPassword.toString();
  const started = await startS3rver(['lake']);
  const proxy = await startS3Proxy(started.endpoint, { conditionalPuts: true });
  const server = {
    ...started,
    env: { ...started.env, AWS_ENDPOINT_URL_S3: proxy.endpoint, AWS_SECRET_ACCESS_KEY: s3Secret },
  };
  const dir = mkdtempSync(join(tmpdir(), 'sluice-stores-'));
  const objects = 's3://lake/warehouse';
  const s3 = {
    cacheDir: join(dir, 'cache'),
    cacheMaxBytes: 1 << 30,
    stagingDir: join(dir, 'staging'),
    env: server.env,
  };
  return {
    label: 'PostgreSQL + S3 (s3rver)',
    store: url,
    objects,
    env: server.env,
    secrets: [pgPassword, s3Secret],
    async openStore() {
      const s = createMetadataStore(url, dir);
      await s.migrate();
      return s;
    },
    openObjects: () => createObjectStore(objects, dir, { s3 }),
    async cleanup() {
      await dropSchema(schema);
      await dropSchemasOfThisProcess();
      await proxy.stop();
      await started.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
