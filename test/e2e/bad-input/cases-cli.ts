import type { BadInputCase } from './case.js';

/** commander's message for an option value its argParser refused: it names the option. */
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const invalid = (option: string, value: string) => new RegExp(`option '${escape(option)}' argument '${escape(value)}' is invalid\\.`);

/** The command line: verbs, options and their values, run ids. Nothing runs; exit 2. */
export const cases: readonly BadInputCase[] = [
  { name: 'cli: status -n a negative count', args: ['status', '-p', '@root', '-n', '-3'], exit: 2, message: invalid('-n, --limit <n>', '-3') },
  { name: 'cli: status -n not a number', args: ['status', '-p', '@root', '-n', 'ten'], exit: 2, message: invalid('-n, --limit <n>', 'ten') },
  { name: 'cli: cost --days a negative count', args: ['cost', '-p', '@root', '--days', '-1', '--by', 'day'], exit: 2, message: invalid('--days <n>', '-1') },
  { name: 'cli: cost --by an unknown key', args: ['cost', '-p', '@root', '--by', 'month'], exit: 2, message: /--by must be one of task, .*got 'month'/ },
  { name: 'cli: run --from not a date', args: ['run', '-p', '@root', '--from', 'notadate'], exit: 2, message: invalid('--from <value>', 'notadate') },
  { name: 'cli: run --to a day that does not exist', args: ['run', '-p', '@root', '--to', '2024-02-30'], exit: 2, message: invalid('--to <value>', '2024-02-30') },
  {
    name: 'cli: run --from after --to',
    args: ['run', '-p', '@root', '--from', '2024-01-03', '--to', '2024-01-01'],
    exit: 2,
    message: /--from 2024-01-03 is not before --to 2024-01-01/,
  },
  { name: 'cli: plan --explain --from a month 13', args: ['plan', '-p', '@root', '--explain', '--from', '2024-13-01'], exit: 2, message: invalid('--from <value>', '2024-13-01') },
  { name: 'cli: run --workers not a number', args: ['run', '-p', '@root', '--workers', 'x'], exit: 2, message: invalid('-w, --workers <n>', 'x') },
  { name: 'cli: run --workers too many', args: ['run', '-p', '@root', '--workers', '5000'], exit: 2, message: invalid('-w, --workers <n>', '5000') },
  { name: 'cli: retry --workers a fraction', args: ['retry', '2', '-p', '@root', '--workers', '1.5'], exit: 2, message: invalid('-w, --workers <n>', '1.5') },
  { name: 'cli: worker --cpus 0', args: ['worker', '-p', '@root', '--cpus', '0'], exit: 2, message: invalid('--cpus <n>', '0') },
  { name: 'cli: worker --memory not a size', args: ['worker', '-p', '@root', '--memory', 'lots'], exit: 2, message: invalid('--memory <size>', 'lots') },
  { name: 'cli: worker --metrics-port out of range', args: ['worker', '-p', '@root', '--metrics-port', '99999'], exit: 2, message: invalid('--metrics-port <port>', '99999') },
  { name: 'cli: worker --log-format unknown', args: ['worker', '-p', '@root', '--log-format', 'xml'], exit: 2, message: /--log-format must be human or json, got 'xml'/ },
  { name: 'cli: logs --level unknown', args: ['logs', '2', '-p', '@root', '--level', 'loud'], exit: 2, message: /--level must be debug, info, warn or error, got 'loud'/ },
  { name: 'cli: an unknown verb, with a suggestion', args: ['stauts'], exit: 2, message: /unknown command 'stauts'.*\n?.*status/ },
  { name: 'cli: an unknown option', args: ['run', '-p', '@root', '--frobnicate'], exit: 2, message: /unknown option '--frobnicate'/ },
  { name: 'cli: status of an unknown run id', args: ['status', '-p', '@root', 'nosuchrun'], exit: 2, message: /no run 'nosuchrun' \(sluice status lists them\)/ },
  { name: 'cli: logs of an unknown run id', args: ['logs', 'nosuchrun', '-p', '@root'], exit: 2, message: /no run 'nosuchrun'/ },
  { name: 'cli: retry of an unknown run id', args: ['retry', 'nosuchrun', '-p', '@root'], exit: 2, message: /no run 'nosuchrun'/ },
  { name: 'cli: stats of an unknown run id', args: ['stats', 'nosuchrun', '-p', '@root'], exit: 2, message: /no run 'nosuchrun'/ },
  { name: 'cli: logs of a model the run does not have', args: ['logs', '2', 'rpt_nope', '-p', '@root'], exit: 2, message: /run \S+ has no model 'rpt_nope'/ },
  {
    name: 'cli: run --resume with --select',
    args: ['run', '-p', '@root', '--resume', '2', '--select', 'rpt_city'],
    exit: 2,
    message: /--resume finishes a run with its own selection; leave out --select/,
  },
  { name: 'cli: a selector naming an unknown tag', args: ['plan', '-p', '@root', '--select', 'tag:nightly'], exit: 2, message: /--select: no model has tag 'nightly'/ },
];
