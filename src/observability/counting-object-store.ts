import type { ObjectInfo, ObjectStore } from '../storage/object-store.js';

/** Requests an object store would bill: writes (PUT, COPY, LIST) and reads (GET, HEAD). */
export interface RequestCounts {
  writes: number;
  reads: number;
}

/**
 * An ObjectStore that counts the requests made through it, priced like S3: put, putIfAbsent,
 * putFile and list are write-class requests (one each); get and head are reads; `localPaths`
 * is one read per key (a remote store downloads each file); delete is free (as on S3) and not
 * counted. Staging folders are local and not counted. Everything else passes through.
 */
export class CountingObjectStore implements ObjectStore {
  readonly counts: RequestCounts = { writes: 0, reads: 0 };

  constructor(private readonly inner: ObjectStore) {}

  get uri(): string {
    return this.inner.uri;
  }

  put(key: string, body: Uint8Array | string): Promise<void> {
    this.counts.writes++;
    return this.inner.put(key, body);
  }

  putIfAbsent(key: string, body: Uint8Array | string): Promise<boolean> {
    this.counts.writes++;
    return this.inner.putIfAbsent(key, body);
  }

  putFile(key: string, localPath: string): Promise<void> {
    this.counts.writes++;
    return this.inner.putFile(key, localPath);
  }

  get(key: string): Promise<Uint8Array | undefined> {
    this.counts.reads++;
    return this.inner.get(key);
  }

  head(key: string): Promise<ObjectInfo | undefined> {
    this.counts.reads++;
    return this.inner.head(key);
  }

  list(prefix: string): Promise<ObjectInfo[]> {
    this.counts.writes++;
    return this.inner.list(prefix);
  }

  delete(keys: readonly string[]): Promise<void> {
    return this.inner.delete(keys);
  }

  localPaths(keys: readonly string[]): Promise<string[]> {
    this.counts.reads += keys.length;
    return this.inner.localPaths(keys);
  }

  createStaging(id: string): Promise<string> {
    return this.inner.createStaging(id);
  }

  removeStaging(id: string): Promise<void> {
    return this.inner.removeStaging(id);
  }

  listStaging(): Promise<string[]> {
    return this.inner.listStaging();
  }

  /** The inner store stays open: it belongs to the caller. */
  async close(): Promise<void> {}
}
