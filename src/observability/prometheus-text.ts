import { SluiceError } from '../core/errors.js';
/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), for tests and
 * checks: every line is a comment (`# HELP`, `# TYPE`), blank, or a sample
 * `name{label="value",...} value [timestamp]` of a declared family.
 */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Exposition {
  readonly types: ReadonlyMap<string, string>;
  readonly samples: readonly Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
const LABEL = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(?:,|$)/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created'];

export function parsePrometheusText(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  text.split('\n').forEach((line, i) => {
    const where = `line ${i + 1}: ${JSON.stringify(line)}`;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const m = new RegExp(`^# (HELP|TYPE) (${NAME})(?: (.*))?$`).exec(line);
      if (!m) {
        if (/^# (HELP|TYPE)/.test(line)) throw new SluiceError('METRICS_MALFORMED', `malformed ${where}`);
        return; // other comments are allowed
      }
      if (m[1] === 'TYPE') {
        if (!TYPES.has(m[3] ?? '')) throw new SluiceError('METRICS_MALFORMED', `unknown type in ${where}`);
        if (types.has(m[2]!)) throw new SluiceError('METRICS_MALFORMED', `second TYPE for ${m[2]} at ${where}`);
        types.set(m[2]!, m[3]!);
      }
      return;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new SluiceError('METRICS_MALFORMED', `malformed sample at ${where}`);
    // Like Prometheus (Go's ParseFloat): NaN and Inf in any case, optionally signed.
    const raw = m[3]!.toLowerCase();
    const value = /^[+]?inf(inity)?$/.test(raw)
      ? Infinity
      : /^-inf(inity)?$/.test(raw)
        ? -Infinity
        : raw === 'nan'
          ? NaN
          : Number(m[3]);
    if (Number.isNaN(value) && raw !== 'nan') throw new SluiceError('METRICS_MALFORMED', `bad value at ${where}`);
    const labels: Record<string, string> = {};
    let rest = m[2] ?? '';
    while (rest.trim() !== '') {
      const l = LABEL.exec(rest);
      if (!l) throw new SluiceError('METRICS_MALFORMED', `malformed labels at ${where}`);
      labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      rest = rest.slice(l[0].length);
    }
    const name = m[1]!;
    const family = types.has(name)
      ? name
      : SUFFIXES.map((s) => (name.endsWith(s) ? name.slice(0, -s.length) : '')).find((f) => f && types.has(f));
    if (!family) throw new SluiceError('METRICS_MALFORMED', `sample of an undeclared family at ${where}`);
    samples.push({ name, labels, value });
  });
  return { types, samples };
}
