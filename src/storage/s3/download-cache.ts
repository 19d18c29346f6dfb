import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** One version of one object: its key, size and ETag (a new version gets a new cache entry). */
export interface ObjectVersion {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
}

interface Entry {
  readonly path: string;
  readonly folder: string;
  readonly size: number;
  lastUsed: number;
  pins: number;
}

/**
 * Local copies of objects for DuckDB, which reads only local files here. A version is stored at
 * `<root>/<hash of key, size, etag>/<key>`: the key's folders are kept, so hive partition
 * folders (`order_date=2024-01-01/`) still name the partition values, and two versions of a key
 * never share a file. Entries are reused across calls, downloaded `concurrency` at a time (one
 * download per version even when calls overlap) and evicted least recently used once the total
 * passes `maxBytes` — never while a call that asked for them is running, so one call may go over
 * the bound. `clear` deletes everything. `root` is `<cache dir>/<pid>-<random>`: the first
 * download also deletes sibling folders of processes that are gone (crashed without `clear`).
 */
export class DownloadCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<Entry>>();
  private total = 0;
  private clock = 0;
  private swept: Promise<void> | undefined;

  constructor(
    readonly root: string,
    private readonly maxBytes: number,
    private readonly concurrency: number,
    /** Write the version's bytes to `dest` (a new file), checking the size. */
    private readonly download: (version: ObjectVersion, dest: string) => Promise<void>,
  ) {}

  /** Local paths for these versions, in order. */
  async paths(versions: readonly ObjectVersion[]): Promise<string[]> {
    const ids = versions.map(versionId);
    const pinned: Entry[] = [];
    try {
      const out = new Array<string>(versions.length);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < versions.length) {
          const i = next++;
          const entry = await this.entry(ids[i]!, versions[i]!);
          entry.pins++;
          pinned.push(entry);
          entry.lastUsed = ++this.clock;
          out[i] = entry.path;
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.concurrency, versions.length) }, worker));
      return out;
    } finally {
      await this.evict();
      for (const e of pinned) e.pins--;
    }
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.total;
  }

  async clear(): Promise<void> {
    this.entries.clear();
    this.total = 0;
    this.swept = undefined;
    await rm(this.root, { recursive: true, force: true });
  }

  private async entry(id: string, version: ObjectVersion): Promise<Entry> {
    const cached = this.entries.get(id);
    if (cached !== undefined && (await exists(cached.path))) return cached;
    if (cached !== undefined) this.forget(id, cached); // removed behind our back
    let pending = this.inflight.get(id);
    if (pending === undefined) {
      pending = this.fetch(id, version).finally(() => this.inflight.delete(id));
      this.inflight.set(id, pending);
    }
    return pending;
  }

  private async fetch(id: string, version: ObjectVersion): Promise<Entry> {
    await (this.swept ??= sweepDeadSiblings(this.root));
    const folder = join(this.root, id);
    const path = join(folder, ...version.key.split('/'));
    await mkdir(dirname(path), { recursive: true });
    const temp = join(folder, `.download-${randomBytes(6).toString('hex')}`);
    try {
      await this.download(version, temp);
      await rename(temp, path);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    const entry: Entry = { path, folder, size: version.size, lastUsed: ++this.clock, pins: 0 };
    this.entries.set(id, entry);
    this.total += entry.size;
    return entry;
  }

  /** Drop least recently used entries nobody is using until the total fits. */
  private async evict(): Promise<void> {
    if (this.total <= this.maxBytes) return;
    const candidates = [...this.entries].sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [id, e] of candidates) {
      if (this.total <= this.maxBytes) break;
      if (e.pins > 0) continue;
      this.forget(id, e);
      await rm(e.folder, { recursive: true, force: true });
    }
  }

  private forget(id: string, e: Entry): void {
    if (this.entries.delete(id)) this.total -= e.size;
  }
}

function versionId(v: ObjectVersion): string {
  return createHash('sha256').update(`${v.key}\0${v.size}\0${v.etag}`).digest('hex').slice(0, 24);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Delete `<pid>-<hex>` folders beside `root` whose process no longer runs (best effort). */
async function sweepDeadSiblings(root: string): Promise<void> {
  const parent = dirname(root);
  const names = await readdir(parent).catch(() => [] as string[]);
  for (const name of names) {
    const pid = /^(\d+)-[0-9a-f]+$/.exec(name)?.[1];
    if (pid === undefined || name === basename(root) || isAlive(Number(pid))) continue;
    await rm(join(parent, name), { recursive: true, force: true }).catch(() => undefined);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: unknown }).code === 'EPERM'; // exists, owned by someone else
  }
}
