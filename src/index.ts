/**
 * sluice's public API: what `import … from 'sluice'` offers. Everything is listed by name; what
 * is not here is internal and may change without notice. The command line is `bin/sluice.js`.
 */

// Run and load a project.
export { runProject, type RunProjectOptions } from './runtime/run-project.js';
export { loadProject } from './catalog/load-project.js';

// The stores: factories from a URL/URI, and the interfaces every implementation passes.
export { createMetadataStore } from './store/create-metadata-store.js';
export type { MetadataStore } from './store/metadata-store.js';
export { createObjectStore } from './storage/create-object-store.js';
export type { ObjectInfo, ObjectStore } from './storage/object-store.js';
export { readCurrentSnapshot } from './snapshot/read-snapshot.js';

// Versioned documents (`--json` outputs, manifests) and their schemas.
export {
  RUN_RESULT_SCHEMA,
  runResultSchema,
  taskOutcomeSchema,
  type OutcomeStatus,
  type RunResult,
  type TaskOutcome,
} from './protocol/run-result.js';
export { runEventSchema, type RunEvent } from './protocol/run-event.js';
export { MANIFEST_SCHEMA, parseManifest, type Manifest } from './snapshot/manifest.js';
export type { ManifestFile } from './protocol/manifest-file.js';
export type { ColumnDef } from './protocol/column-def.js';
export { PLAN_SCHEMA, type PlanDocument } from './planner/plan-document.js';
export { EXPLAIN_SCHEMA, type ExplainDocument, type ExplainedModel } from './compile/explain-plan.js';
export { COST_SCHEMA, type CostReport } from './observability/cost-report.js';
export { STATS_SCHEMA, type StatsDocument } from './observability/run-stats.js';
export { ALERT_SCHEMA, type Alert } from './observability/alerts/alert.js';

// The project's vocabulary (core/types.ts has the glossary).
export type {
  DataInterval,
  ModelDef,
  Problem,
  Project,
  ProjectConfig,
  ProjectSettings,
  RunStatus,
  SourceDef,
  TaskStatus,
} from './core/types.js';

// Errors: one base error with a stable code.
export { SluiceError, ValidationError, formatProblem, type ErrorCode } from './core/errors.js';
