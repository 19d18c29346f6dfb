import { z } from 'zod';
import type { Budgets, PriceCatalogue, ProjectConfig } from '../core/types.js';
import { DEFAULTS } from './defaults.js';
import { identifierSchema } from './identifier.js';

const price = z.number({ error: 'expected a price (a number >= 0)' }).min(0, { error: 'must be >= 0' });
const compute = z.strictObject({ core_hour: price.optional(), gib_hour: price.optional() });

/** `cost:` in sluice.yaml: the price catalogue; every key defaults to DEFAULTS.cost. */
export const costSchema = z.strictObject({
  currency: z
    .string({ error: 'expected a currency code such as "USD"' })
    .regex(/^[A-Z]{3}$/, { error: 'must be a three-letter currency code such as USD or EUR' })
    .optional(),
  pricing: z.enum(['on_demand', 'spot'], { error: 'must be on_demand or spot' }).optional(),
  on_demand: compute.optional(),
  spot: compute.optional(),
  managed_uplift_pct: z
    .number({ error: 'expected a percentage' })
    .min(0, { error: 'must be >= 0' })
    .max(1000, { error: 'must be <= 1000' })
    .optional(),
  object_store: z
    .strictObject({ write_per_1000: price.optional(), read_per_1000: price.optional(), gib_month: price.optional() })
    .optional(),
});

/** `budgets:` in sluice.yaml, in the catalogue's currency. */
export const budgetsSchema = z.strictObject({
  run: z.number({ error: 'expected an amount' }).gt(0, { error: 'must be > 0' }).optional(),
  groups: z
    .record(identifierSchema, z.number({ error: 'expected an amount' }).gt(0, { error: 'must be > 0' }))
    .optional(),
});

export function toPriceCatalogue(raw: z.output<typeof costSchema> | null | undefined): PriceCatalogue {
  const d = DEFAULTS.cost;
  return {
    currency: raw?.currency ?? d.currency,
    pricing: raw?.pricing ?? d.pricing,
    onDemand: {
      coreHour: raw?.on_demand?.core_hour ?? d.onDemand.coreHour,
      gibHour: raw?.on_demand?.gib_hour ?? d.onDemand.gibHour,
    },
    spot: { coreHour: raw?.spot?.core_hour ?? d.spot.coreHour, gibHour: raw?.spot?.gib_hour ?? d.spot.gibHour },
    managedUpliftPct: raw?.managed_uplift_pct ?? d.managedUpliftPct,
    objectStore: {
      writePer1000: raw?.object_store?.write_per_1000 ?? d.objectStore.writePer1000,
      readPer1000: raw?.object_store?.read_per_1000 ?? d.objectStore.readPer1000,
      gibMonth: raw?.object_store?.gib_month ?? d.objectStore.gibMonth,
    },
  };
}

export function toBudgets(raw: z.output<typeof budgetsSchema> | null | undefined): Budgets {
  return { ...(raw?.run !== undefined && { run: raw.run }), groups: { ...(raw?.groups ?? {}) } };
}

/** The project's price catalogue, or the defaults. */
export function priceCatalogueOf(config: Pick<ProjectConfig, 'cost'>): PriceCatalogue {
  return config.cost ?? toPriceCatalogue(undefined);
}

/** The project's budgets, or none. */
export function budgetsOf(config: Pick<ProjectConfig, 'budgets'>): Budgets {
  return config.budgets ?? toBudgets(undefined);
}
