import { budgetsOf, priceCatalogueOf } from '../catalog/cost-schema.js';
import { costReport, loadRunAttempts, type CostReport } from '../observability/cost-report.js';
import { openStores, type ProjectSettings } from './open-runtime.js';

/** A run's cost by task, with the project's budgets checked, read from its metadata store. */
export async function runCost(project: ProjectSettings, runId: string): Promise<CostReport> {
  const stores = await openStores(project);
  try {
    const attempts = await loadRunAttempts(stores.store, runId);
    return costReport([attempts], priceCatalogueOf(project.config), budgetsOf(project.config), 'task');
  } finally {
    await stores.close();
  }
}
