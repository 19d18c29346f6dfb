import type { Command } from 'commander';
import { loadProject } from '../../catalog/load-project.js';
import { buildPlan, type Plan } from '../../planner/build-plan.js';
import { planDocument } from '../../planner/plan-document.js';
import { collect, projectRoot, withProject } from '../project-option.js';

export function registerPlan(program: Command): void {
  withProject(program.command('plan'))
    .description('show the groups sluice derives, their models in order, and what each model reads')
    .option('-s, --select <selector>', 'models to plan: name, +name (with upstream), name+ (with downstream), tag:x, group:x (repeatable)', collect)
    .option('--json', 'print the plan as a sluice.plan/v1 JSON document')
    .action(async (opts: { project?: string; select?: string[]; json?: boolean }) => {
      const project = await loadProject(projectRoot(opts));
      const plan = buildPlan(project, opts.select ?? []);
      process.stdout.write(opts.json ? `${JSON.stringify(planDocument(plan), null, 2)}\n` : renderPlan(plan, project.config.defaults.maxTasksPerGroup));
    });
}

export function renderPlan(plan: Plan, maxPerGroup: number): string {
  const byName = new Map(plan.models.map((m) => [m.name, m] as const));
  const lines = [`project ${plan.project}: ${plan.models.length} model(s) in ${plan.groups.length} group(s) (at most ${maxPerGroup} per group)`, ''];
  for (const g of plan.groups) {
    const after = g.dependsOn.length > 0 ? `, after ${g.dependsOn.join(', ')}` : '';
    lines.push(`group ${g.name}  (${g.type}, ${g.businessUnit}; ${g.models.length} model(s), step concurrency ${g.concurrency}${after})`);
    g.models.forEach((name, i) => {
      const m = byName.get(name)!;
      const part = m.partitionBy.length > 0 ? `  partition_by ${m.partitionBy.join(', ')}` : '';
      lines.push(`  ${String(i + 1).padStart(2)}. ${m.name}${part}  [queue ${m.queue}]`);
      for (const r of m.reads) {
        lines.push(r.kind === 'source' ? `        reads source ${r.name} (${r.format}: ${r.path})` : `        reads model ${r.name}${r.selected ? '' : ' (current snapshot; not in this run)'}`);
      }
    });
    lines.push('');
  }
  if (plan.grouping.cyclicGroups.length > 0) {
    lines.push(`note: groups ${plan.grouping.cyclicGroups.join(', ')} depend on each other; models still run in dependency order`);
  }
  return `${lines.join('\n')}\n`;
}
