import type { Command } from 'commander';
import { loadProject } from '../../catalog/load-project.js';
import { buildPlan, type Plan } from '../../planner/build-plan.js';
import { planDocument } from '../../planner/plan-document.js';
import { collect, projectRoot, withProject } from '../project-option.js';
import { explainPlan, type ExplainDocument } from '../../compile/explain-plan.js';
import { openEngine, openStores } from '../../runtime/open-runtime.js';
import { formatBytes, formatCount } from '../format.js';
import { intervalOption, partitionValueOption } from '../interval-option.js';
import { priceCatalogueOf } from '../../catalog/cost-schema.js';
import { estimateCost, type CostEstimate } from '../../observability/cost-estimate.js';
import { formatMoney } from '../../observability/cost-report.js';

export function registerPlan(program: Command): void {
  withProject(program.command('plan'))
    .description('show the groups sluice derives, their models in order, and what each model reads')
    .option(
      '-s, --select <selector>',
      'models to plan: name, +name (with upstream), name+ (with downstream), tag:x, group:x (repeatable)',
      collect,
    )
    .option(
      '--explain',
      'also say, per model, what a run would read (files and bytes selected vs total, pruned), its work items, and what it would skip and why',
    )
    .option('--from <value>', 'with --explain: the data interval start, as for run', partitionValueOption)
    .option('--to <value>', 'with --explain: the data interval end (exclusive), as for run', partitionValueOption)
    .option('--full-refresh', 'with --explain: as for run')
    .option('--json', 'print the plan as a sluice.plan/v1 JSON document (with --explain: sluice.explain/v1)')
    .action(
      async (opts: {
        project?: string;
        select?: string[];
        json?: boolean;
        explain?: boolean;
        from?: string;
        to?: string;
        fullRefresh?: boolean;
      }) => {
        const project = await loadProject(projectRoot(opts));
        const plan = buildPlan(project, opts.select ?? []);
        if (!opts.explain) {
          process.stdout.write(
            opts.json
              ? `${JSON.stringify(planDocument(plan), null, 2)}\n`
              : renderPlan(plan, project.config.defaults.maxTasksPerGroup),
          );
          return;
        }
        const stores = await openStores(project);
        const engine = await openEngine(project, { threads: 1 });
        const conn = await engine.connect();
        try {
          const doc = await explainPlan(
            {
              project,
              objects: stores.objects,
              conn,
              ...intervalOption(opts),
              ...(opts.fullRefresh && { fullRefresh: true }),
              maxItems: project.config.execution.maxItemsPerTask,
            },
            plan,
          );
          // What the models to build cost when they were built before (issue 6: a backfill's price up front).
          const cost = await estimateCost(
            stores.store,
            doc.models.filter((m) => m.decision !== 'skip').map((m) => m.name),
            priceCatalogueOf(project.config),
          );
          process.stdout.write(opts.json ? `${JSON.stringify({ ...doc, cost }, null, 2)}\n` : renderExplain(doc, cost));
        } finally {
          conn.closeSync();
          await engine.close();
          await stores.close();
        }
      },
    );
}

export function renderExplain(doc: ExplainDocument, cost?: CostEstimate): string {
  const count = (d: string) => doc.models.filter((m) => m.decision === d).length;
  const costOf = new Map((cost?.models ?? []).map((e) => [e.model, e] as const));
  const money = (x: number) => formatMoney(x, cost?.currency ?? 'USD');
  const scope = [
    doc.interval ? `interval [${doc.interval.from ?? '-inf'}, ${doc.interval.to ?? '+inf'})` : '',
    doc.fullRefresh ? 'full refresh' : '',
  ]
    .filter(Boolean)
    .join(', ');
  const lines = [
    `explain ${doc.project}${scope ? ` (${scope})` : ''}: ${doc.models.length} model(s): ${count('build')} to build, ${count('skip')} skipped${count('unknown') ? `, ${count('unknown')} unknown until upstream is built` : ''}`,
    '',
  ];
  if (cost && cost.models.length > 0) {
    const known = cost.models.length - cost.unknown.length;
    lines.splice(
      1,
      0,
      `estimated cost ${money(cost.total)}: what the ${known} model(s) to build with history cost in their last builds (median; an incremental build usually costs less)${cost.unknown.length > 0 ? `; ${cost.unknown.length} never built: ${cost.unknown.slice(0, 5).join(', ')}${cost.unknown.length > 5 ? ', …' : ''}` : ''}`,
    );
  }
  const width = Math.max(0, ...doc.models.flatMap((m) => m.inputs.map((i) => i.name.length)));
  for (const m of doc.models) {
    lines.push(`${m.name}  ${m.decision.toUpperCase()}  ${m.reason}`);
    for (const i of m.inputs) {
      const pruned = i.pruned > 0 ? `  pruned ${formatCount(i.pruned)} file(s)` : '';
      const readers = m.join?.strategy === 'shuffle' ? (m.join.buckets ?? 0) : m.items.length;
      const role =
        i.role === 'broadcast'
          ? `  broadcast to ${readers} items (${formatBytes(i.readBytes)} read in all)`
          : i.role === 'split'
            ? '  split'
            : i.role === 'shuffle'
              ? `  shuffled by ${m.join?.keys?.[i.name] ?? '?'}`
              : '';
      lines.push(
        `    reads ${i.name.padEnd(width)}  ${formatCount(i.files)}/${formatCount(i.totalFiles)} files  ${formatBytes(i.bytes)} of ${formatBytes(i.totalBytes)}${pruned}${role}${i.filter ? `  where ${i.filter}` : ''}`,
      );
    }
    // The layout, when sluice chose one or an input is above broadcast_threshold (a split model's roles say the rest).
    const j = m.decision === 'skip' ? null : m.join;
    if (j && (j.strategy === 'broadcast' || j.strategy === 'shuffle'))
      lines.push(`    join: ${j.strategy}: ${j.reason}`);
    else if (j && j.large.length > 0) lines.push(`    join: ${j.reason}`);
    if (m.items.length > 0) {
      const bytes = m.items.map((i) => i.bytes);
      const sizes =
        m.items.length === 1
          ? formatBytes(bytes[0])
          : `${formatBytes(Math.min(...bytes))} .. ${formatBytes(Math.max(...bytes))} each, ${formatBytes(bytes.reduce((a, b) => a + b, 0))} in all`;
      const values = m.items.flatMap((i) => i.values ?? []);
      const shown =
        values.length > 0
          ? `; values ${values.slice(0, 6).join(', ')}${values.length > 6 ? `, … (${values.length})` : ''}`
          : '';
      const kind =
        m.join?.strategy === 'shuffle' ? ` map item(s), then up to ${m.join.buckets} reduce item(s)` : ' work item(s)';
      lines.push(
        `    ${m.items.length}${kind}: ${sizes}${shown}${m.estimate ? ' (estimate: from the current upstream snapshot)' : ''}`,
      );
    }
    const z = m.sizing;
    if (z && m.items.length > 0) {
      const parts = [
        z.targetBytes > 0 ? `target ${formatBytes(z.targetBytes)}/item` : 'one item per value',
        z.coalesced > 0 ? `${z.coalesced} small value(s) coalesced` : '',
        ...z.split.map((x) => `${x.value} (${formatBytes(x.bytes)}) split in ${x.parts}`),
        z.skew !== null && z.largest
          ? `skew ${z.skew.toFixed(1)}x (largest ${z.largest.value}: ${formatBytes(z.largest.bytes)})`
          : '',
      ].filter(Boolean);
      lines.push(`    sizing: ${parts.join('; ')}`);
    }
    const est = costOf.get(m.name);
    if (est && est.cost !== null)
      lines.push(
        `    est. cost ${money(est.cost)} (median of ${est.samples} past build${est.samples === 1 ? '' : 's'})`,
      );
  }
  return `${lines.join('\n')}\n`;
}

export function renderPlan(plan: Plan, maxPerGroup: number): string {
  const byName = new Map(plan.models.map((m) => [m.name, m] as const));
  const lines = [
    `project ${plan.project}: ${plan.models.length} model(s) in ${plan.groups.length} group(s) (at most ${maxPerGroup} per group)`,
    '',
  ];
  for (const g of plan.groups) {
    const after = g.dependsOn.length > 0 ? `, after ${g.dependsOn.join(', ')}` : '';
    lines.push(
      `group ${g.name}  (${g.type}, ${g.businessUnit}; ${g.models.length} model(s), step concurrency ${g.concurrency}${after})`,
    );
    g.models.forEach((name, i) => {
      const m = byName.get(name)!;
      const part = m.partitionBy.length > 0 ? `  partition_by ${m.partitionBy.join(', ')}` : '';
      lines.push(`  ${String(i + 1).padStart(2)}. ${m.name}${part}  [queue ${m.queue}]`);
      for (const r of m.reads) {
        lines.push(
          r.kind === 'source'
            ? `        reads source ${r.name} (${r.format}: ${r.path})`
            : `        reads model ${r.name}${r.selected ? '' : ' (current snapshot; not in this run)'}`,
        );
      }
    });
    lines.push('');
  }
  if (plan.grouping.cyclicGroups.length > 0) {
    lines.push(
      `note: groups ${plan.grouping.cyclicGroups.join(', ')} depend on each other; models still run in dependency order`,
    );
  }
  return `${lines.join('\n')}\n`;
}
