import type { BadInputCase } from './case.js';

/** commander's message for an option value its argParser refused: it names the option. */
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const invalid = (option: string, value: string) =>
  new RegExp(`option '${escape(option)}' argument '${escape(value)}' is invalid\\.`);

/** A usage error: nothing runs, exit 2. `@root` is the built project; run id `2` prefixes its one run. */
const usage = (name: string, args: readonly string[], message: RegExp): BadInputCase => ({
  name: `cli: ${name}`,
  args,
  exit: 2,
  message,
});
const p = ['-p', '@root'];

/** The command line: verbs, options and their values, run ids. */
export const cases: readonly BadInputCase[] = [
  usage('status -n a negative count', ['status', ...p, '-n', '-3'], invalid('-n, --limit <n>', '-3')),
  usage('status -n not a number', ['status', ...p, '-n', 'ten'], invalid('-n, --limit <n>', 'ten')),
  usage('cost --days a negative count', ['cost', ...p, '--days', '-1', '--by', 'day'], invalid('--days <n>', '-1')),
  usage('cost --by an unknown key', ['cost', ...p, '--by', 'month'], /--by must be one of task, .*got 'month'/),
  usage('run --from not a date', ['run', ...p, '--from', 'notadate'], invalid('--from <value>', 'notadate')),
  usage(
    'run --to a day that does not exist',
    ['run', ...p, '--to', '2024-02-30'],
    invalid('--to <value>', '2024-02-30'),
  ),
  usage(
    'run --from after --to',
    ['run', ...p, '--from', '2024-01-03', '--to', '2024-01-01'],
    /--from 2024-01-03 is not before --to 2024-01-01/,
  ),
  usage(
    'plan --explain --from a month 13',
    ['plan', ...p, '--explain', '--from', '2024-13-01'],
    invalid('--from <value>', '2024-13-01'),
  ),
  usage('run --workers not a number', ['run', ...p, '--workers', 'x'], invalid('-w, --workers <n>', 'x')),
  usage('run --workers too many', ['run', ...p, '--workers', '5000'], invalid('-w, --workers <n>', '5000')),
  usage('retry --workers a fraction', ['retry', '2', ...p, '--workers', '1.5'], invalid('-w, --workers <n>', '1.5')),
  usage('worker --cpus 0', ['worker', ...p, '--cpus', '0'], invalid('--cpus <n>', '0')),
  usage('worker --memory not a size', ['worker', ...p, '--memory', 'lots'], invalid('--memory <size>', 'lots')),
  usage(
    'worker --metrics-port out of range',
    ['worker', ...p, '--metrics-port', '99999'],
    invalid('--metrics-port <port>', '99999'),
  ),
  usage(
    'worker --log-format unknown',
    ['worker', ...p, '--log-format', 'xml'],
    /--log-format must be human or json, got 'xml'/,
  ),
  usage(
    'logs --level unknown',
    ['logs', '2', ...p, '--level', 'loud'],
    /--level must be debug, info, warn or error, got 'loud'/,
  ),
  usage('an unknown verb, with a suggestion', ['stauts'], /unknown command 'stauts'.*\n?.*status/),
  usage('an unknown option', ['run', ...p, '--frobnicate'], /unknown option '--frobnicate'/),
  usage(
    'status of an unknown run id',
    ['status', ...p, 'nosuchrun'],
    /no run 'nosuchrun' \(sluice status lists them\)/,
  ),
  usage('logs of an unknown run id', ['logs', 'nosuchrun', ...p], /no run 'nosuchrun'/),
  usage('retry of an unknown run id', ['retry', 'nosuchrun', ...p], /no run 'nosuchrun'/),
  usage('stats of an unknown run id', ['stats', 'nosuchrun', ...p], /no run 'nosuchrun'/),
  usage('logs of a model the run does not have', ['logs', '2', 'rpt_nope', ...p], /run \S+ has no model 'rpt_nope'/),
  usage(
    'run --resume with --select',
    ['run', ...p, '--resume', '2', '--select', 'rpt_city'],
    /--resume finishes a run with its own selection; leave out --select/,
  ),
  usage(
    'a selector naming an unknown tag',
    ['plan', ...p, '--select', 'tag:nightly'],
    /--select: no model has tag 'nightly'/,
  ),
];
