import { budgetsOf, priceCatalogueOf } from '../catalog/cost-schema.js';
import type { ProjectConfig } from '../core/types.js';
import { costReport, loadRunAttempts, type CostReport } from '../observability/cost-report.js';
import type { MetadataStore } from '../store/metadata-store.js';
import { openStores } from './open-runtime.js';
import type { ProjectSettings } from '../core/types.js';

/** A run's cost by task, with the project's budgets checked. */
export async function costOfRun(
  store: MetadataStore,
  config: Pick<ProjectConfig, 'cost' | 'budgets'>,
  runId: string,
): Promise<CostReport> {
  return costReport([await loadRunAttempts(store, runId)], priceCatalogueOf(config), budgetsOf(config), 'task');
}

/** The same, opening the project's metadata store. */
export async function runCost(project: ProjectSettings, runId: string): Promise<CostReport> {
  const stores = await openStores(project);
  try {
    return await costOfRun(stores.store, project.config, runId);
  } finally {
    await stores.close();
  }
}
