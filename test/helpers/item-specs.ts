import { join } from 'node:path';
import { parseItemSpec, type ItemSpec } from '../../src/protocol/item-spec.js';
import { SqliteMetadataStore } from '../../src/store/sqlite/sqlite-metadata-store.js';

/** The specs of a run's work items (optionally one model's), from a project's embedded metadata store. */
export async function itemSpecs(root: string, runId: string, model?: string): Promise<ItemSpec[]> {
  const store = new SqliteMetadataStore(join(root, '.sluice/sluice.db'));
  try {
    return (await store.listItems(runId, model)).map((i) => parseItemSpec(i.spec, i.id));
  } finally {
    await store.close();
  }
}
