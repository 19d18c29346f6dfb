import type { Command } from 'commander';
import { loadProject } from '../../catalog/load-project.js';
import { ValidationError } from '../../core/errors.js';
import { buildModelGraph } from '../../planner/model-graph.js';
import { openEngine } from '../../runtime/open-runtime.js';
import { projectRoot, withProject } from '../project-option.js';

export function registerValidate(program: Command): void {
  withProject(program.command('validate'))
    .description('check the project: files, keys, references, cycles, and that DuckDB can bind every model')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { project?: string; json?: boolean }) => {
      const project = await loadProject(projectRoot(opts));
      const engine = await openEngine(project);
      let problems;
      try {
        problems = await engine.checkBindings(project, buildModelGraph(project.models).order);
      } finally {
        await engine.close();
      }
      if (problems.length > 0) throw new ValidationError(problems);
      if (opts.json) {
        process.stdout.write(
          `${JSON.stringify({ schema: 'sluice.validate/v1', project: project.config.name, ok: true, models: project.models.size, sources: project.sources.size, problems: [] }, null, 2)}\n`,
        );
      } else {
        process.stdout.write(
          `ok: project ${project.config.name}: ${project.models.size} models and ${project.sources.size} sources are valid\n`,
        );
      }
    });
}
