import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SluiceError } from '../core/errors.js';
import type { Problem, ProjectConfig } from '../core/types.js';
import { configFileSchema, toProjectConfig } from './config-schema.js';
import { DEFAULTS } from './defaults.js';
import { CONFIG_FILE } from './find-project-root.js';
import { PROBLEM } from './problem-codes.js';
import { readProjectFile, resolveInRoot } from './project-file.js';
import { parseYaml, valueLine } from './yaml-locate.js';
import { validate } from './zod-problems.js';

export interface LoadedConfig {
  /** The validated settings, or undefined when `sluice.yaml` has problems. */
  readonly config: ProjectConfig | undefined;
  /** Where to look for models and sources, even when the config is invalid (best effort). */
  readonly paths: { readonly models: string; readonly sources: string };
  readonly problems: Problem[];
}

/** Reads and validates `<root>/sluice.yaml`; throws CONFIG_NOT_FOUND when it does not exist. */
export function loadConfig(root: string): LoadedConfig {
  const abs = join(root, CONFIG_FILE);
  if (!existsSync(abs)) throw new SluiceError('CONFIG_NOT_FOUND', `${CONFIG_FILE} not found in ${root}`);
  const problems: Problem[] = [];
  const text = readProjectFile(abs, CONFIG_FILE, problems);
  const fallback = { config: undefined, paths: DEFAULTS.paths, problems };
  if (text === undefined) return fallback;
  const { source, data: parsed, problems: yamlProblems } = parseYaml(text, CONFIG_FILE);
  if (yamlProblems.length > 0) return { ...fallback, problems: yamlProblems };

  const data: unknown = parsed ?? {};
  const result = validate(configFileSchema, { source, data });
  problems.push(...result.problems);
  const rawPaths = (data as { paths?: Record<string, unknown> } | null)?.paths;
  const paths = {
    models: bestEffortPath(rawPaths?.models, DEFAULTS.paths.models),
    sources: bestEffortPath(rawPaths?.sources, DEFAULTS.paths.sources),
  };
  for (const key of ['models', 'sources'] as const) {
    if (typeof rawPaths?.[key] !== 'string' || rawPaths[key] === '') continue;
    const dir = resolveInRoot(root, paths[key]);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      problems.push({
        code: PROBLEM.pathNotFound,
        file: CONFIG_FILE,
        line: valueLine(source, ['paths', key]),
        key: `paths.${key}`,
        message: `paths.${key}: folder ${JSON.stringify(paths[key])} does not exist`,
      });
    }
  }
  return { config: result.value ? toProjectConfig(result.value) : undefined, paths, problems };
}

function bestEffortPath(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}
