import type { Command } from 'commander';
import { loadProject } from '../../catalog/load-project.js';
import { budgetsOf, priceCatalogueOf } from '../../catalog/cost-schema.js';
import { SluiceError } from '../../core/errors.js';
import {
  COST_BY,
  costReport,
  formatMoney,
  loadRunAttempts,
  type CostBy,
  type CostReport,
} from '../../observability/cost-report.js';
import { openStores } from '../../runtime/open-runtime.js';
import { findRunOrLatest } from '../find-run.js';
import { table } from '../format.js';
import { intOption } from '../numeric-options.js';
import { projectRoot, withProject } from '../project-option.js';

export function registerCost(program: Command): void {
  withProject(program.command('cost'))
    .argument(
      '[run]',
      'a run id or a unique prefix (default: the latest run; with --by day: every run of the last --days)',
    )
    .description('what a run cost, from its resource use and the price catalogue (sluice.yaml cost:), with budgets')
    .option('--by <key>', `break down by ${COST_BY.join(', ')}`, 'task')
    .option('--days <n>', 'with --by day and no run: the runs of this many days back', intOption(1), 7)
    .option('--json', 'print JSON (sluice.cost/v1)')
    .action(
      async (runArg: string | undefined, opts: { project?: string; by: string; days: number; json?: boolean }) => {
        if (!(COST_BY as readonly string[]).includes(opts.by))
          throw new SluiceError('CLI_USAGE', `--by must be one of ${COST_BY.join(', ')}, got '${opts.by}'`);
        const by = opts.by as CostBy;
        const project = await loadProject(projectRoot(opts));
        const catalogue = priceCatalogueOf(project.config);
        const budgets = budgetsOf(project.config);
        const stores = await openStores(project);
        try {
          const store = stores.store;
          let runIds: string[];
          if (runArg === undefined && by === 'day') {
            const since = Date.now() - opts.days * 86_400_000;
            runIds = (await store.listRuns({ limit: 10_000 }))
              .filter((r) => r.startedAt >= since)
              .map((r) => r.id)
              .reverse();
          } else {
            runIds = [(await findRunOrLatest(store, runArg)).id];
          }
          const report = costReport(
            await Promise.all(runIds.map((id) => loadRunAttempts(store, id))),
            catalogue,
            budgets,
            by,
          );
          process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : renderCost(report));
        } finally {
          await stores.close();
        }
      },
    );
}

export function renderCost(r: CostReport): string {
  const m = (x: number | null) => (x === null ? '-' : formatMoney(x, r.currency));
  const hours = (x: number) => (x >= 10 ? x.toFixed(1) : x.toPrecision(2));
  const scope = r.runs.length === 1 ? `run ${r.runs[0]}` : `${r.runs.length} run(s)`;
  const t = r.total;
  const lines = [
    `${scope}: ${m(t.total)} at ${r.pricing.replace('_', '-')} prices (${t.attempts} attempt(s), ${hours(t.coreHours)} core-hours, ${hours(t.gibHours)} GiB-hours; compute ${m(t.compute)}, object-store requests ${m(t.requests)})`,
    `  ${m(t.perMillionRows)} per million rows written; all on spot ${m(t.spot)}, all on-demand ${m(t.onDemand)}, on a managed cluster ${m(t.managed)}; storing the output ${m(r.storagePerMonth)}/month`,
    '',
    table(
      [
        r.by.replace('_', ' '),
        'attempts',
        'core-h',
        'GiB-h',
        'compute',
        'requests',
        'cost',
        'per M rows',
        'on-demand',
        'managed',
      ],
      r.lines.map((l) => [
        l.key || '-',
        String(l.attempts),
        hours(l.coreHours),
        hours(l.gibHours),
        m(l.compute),
        m(l.requests),
        m(l.total),
        m(l.perMillionRows),
        m(l.onDemand),
        m(l.managed),
      ]),
    ),
  ];
  if (r.budgets.length > 0) {
    lines.push('', 'budgets:');
    for (const b of r.budgets)
      lines.push(
        `  ${b.scope === 'run' ? `run ${b.key}` : `group ${b.key}${r.runs.length > 1 ? ` (run ${b.runId})` : ''}`}: ${m(b.cost)} of ${m(b.budget)}${b.over ? '  OVER BUDGET' : ''}`,
      );
  }
  return `${lines.join('\n')}\n`;
}
