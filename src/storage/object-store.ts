/**
 * The object store: where data lives. Keys are `/`-separated relative paths such as
 * `fct_orders/order_date=2024-01-01/part-000003-ab12cd-0.parquet`. Objects are immutable once
 * published; the only conditional write is `putIfAbsent`, which publishing relies on.
 *
 * Implementations: `local/` (a folder) now, `s3/` later. All pass `object-store.contract.ts`.
 */
export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
}

export interface ObjectStore {
  /** `file:///abs/path` or `s3://bucket/prefix`; for messages, never contains credentials. */
  readonly uri: string;

  /** Write (or replace) an object. Readers never see a partial object. */
  put(key: string, body: Uint8Array | string): Promise<void>;

  /**
   * Write only if no object has this key. Returns false (and writes nothing) when one exists.
   * Atomic against concurrent callers: at most one of them gets true.
   */
  putIfAbsent(key: string, body: Uint8Array | string): Promise<boolean>;

  /** Upload a local file as an object. The local file may be moved (consumed) by the call. */
  putFile(key: string, localPath: string): Promise<void>;

  /** The object's bytes, or undefined when there is none. */
  get(key: string): Promise<Uint8Array | undefined>;

  /** Size of the object, or undefined when there is none. */
  head(key: string): Promise<ObjectInfo | undefined>;

  /** Every object whose key starts with `prefix`, sorted by key. */
  list(prefix: string): Promise<ObjectInfo[]>;

  /** Delete objects; keys that do not exist are ignored. */
  delete(keys: readonly string[]): Promise<void>;

  /**
   * Local file paths DuckDB can read for these keys, in the same order (the local store returns
   * its own files; a remote store downloads to a local cache).
   */
  localPaths(keys: readonly string[]): Promise<string[]>;

  /**
   * A fresh, empty local folder for an attempt to write output into before publishing
   * (on the same file system as the store when it is local, so `putFile` is a rename).
   * `removeStaging` deletes it and everything in it.
   */
  createStaging(id: string): Promise<string>;
  removeStaging(id: string): Promise<void>;
  /** Ids of staging folders that exist (for cleaning up after crashed attempts). */
  listStaging(): Promise<string[]>;

  close(): Promise<void>;
}
