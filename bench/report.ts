import type { BenchResults, ClinicResult, ContenderName, ContenderResult } from './results.js';
import type { Summary } from './stats.js';
import { formatBytes } from '../src/cli/format.js';

/** The performance goals of sluice (docs/BENCHMARKS.md), checked against one set of results. */
export interface Goal {
  readonly goal: string;
  readonly target: string;
  readonly measured: string;
  /** null when it could not be measured. */
  readonly met: boolean | null;
}

const CONTENDERS: readonly ContenderName[] = ['sluice', 'limit', 'naive', 'polars'];

export function seconds(ms: number): string {
  return ms >= 100_000
    ? `${(ms / 1000).toFixed(0)} s`
    : ms >= 10_000
      ? `${(ms / 1000).toFixed(1)} s`
      : `${(ms / 1000).toFixed(2)} s`;
}

function millis(ms: number): string {
  return ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`;
}

function range(s: Summary, fmt: (n: number) => string): string {
  if (s.samples.length === 1) return fmt(s.median);
  return `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
}

function ratio(r: number | null): string {
  return r === null ? '–' : `${r.toFixed(2)}×`;
}

function cell(
  c: ContenderResult,
  pick: (c: ContenderResult) => Summary | undefined,
  fmt: (n: number) => string,
): string {
  if (c.status !== 'ok') return c.status === 'WRONG' ? '**WRONG**' : c.status;
  const s = pick(c);
  return s ? range(s, fmt) : '–';
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function goals(r: Omit<BenchResults, 'goals'>): Goal[] {
  const all = (pick: (c: ClinicResult) => number | null, ok: (n: number) => boolean) => {
    const values = r.clinic.map((c) => ({ label: c.label, v: pick(c) }));
    const known = values.filter((x): x is { label: string; v: number } => x.v !== null);
    return {
      measured: values.map((x) => `${x.label}: ${ratio(x.v)}`).join('; ') || '–',
      met: known.length === 0 ? null : known.length === values.length && known.every((x) => ok(x.v)),
    };
  };
  const out: Goal[] = [
    {
      goal: 'sluice ÷ limit (clinic, every size)',
      target: '≤ 1.10',
      ...all(
        (c) => c.ratios.sluiceOverLimit,
        (v) => v <= 1.1,
      ),
    },
    {
      goal: 'naive ÷ sluice (clinic, every size)',
      target: '≥ 6',
      ...all(
        (c) => c.ratios.naiveOverSluice,
        (v) => v >= 6,
      ),
    },
  ];
  const w = r.wideDag;
  out.push({
    goal: `dispatch overhead per task (wide DAG${w ? `, ${w.models} models` : ''})`,
    target: '≤ 5 ms',
    measured: w
      ? `${millis(w.dispatchOverheadPerTaskMs.median)} (run loop ÷ tasks ${millis(w.runPerTaskMs.median)}; vs limit ${millis(w.overheadVsLimitPerTaskMs.median)})`
      : '–',
    met: w ? w.dispatchOverheadPerTaskMs.median <= 5 : null,
  });
  const p = r.planning;
  out.push({
    goal: `plan ${p ? p.models.toLocaleString('en-US') : '10,000'} models (loadProject + buildPlan)`,
    target: '≤ 3 s',
    measured: p ? seconds(p.totalMs.median) : '–',
    met: p ? p.totalMs.median <= 3000 : null,
  });
  // One row per size: the ratio is work avoided against a fixed cost per run, so it grows with data per day.
  for (const inc of r.incremental.length > 0 ? r.incremental : [undefined]) {
    out.push({
      goal: `full ÷ incremental daily run (one new day of ${inc ? `${inc.shape.days} × ${inc.shape.rowsPerDay.toLocaleString('en-US')} rows` : '365'})`,
      target: '≥ 50',
      measured: inc
        ? `${ratio(inc.fullMs.median / inc.incrementalMs.median)} (${seconds(inc.fullMs.median)} ÷ ${seconds(inc.incrementalMs.median)})${inc.sameAsFullRefresh ? '' : ' — OUTPUT DIFFERS from a full refresh'}`
        : '–',
      met: inc ? inc.sameAsFullRefresh && inc.fullMs.median / inc.incrementalMs.median >= 50 : null,
    });
  }
  const inc = r.incremental[0];
  out.push({
    goal: 'bytes read with a 10% partition filter ÷ full scan',
    target: '≤ 0.12',
    measured: inc ? inc.filteredBytesRatio.toFixed(3) : '–',
    met: inc ? inc.filteredBytesRatio <= 0.12 : null,
  });
  const wp = r.wideDagPostgres;
  if (wp) {
    out.push({
      goal: `dispatch overhead per task on PostgreSQL (wide DAG, ${wp.models} models)`,
      target: '≤ 50 ms',
      measured: `${millis(wp.dispatchOverheadPerTaskMs.median)} (run loop ÷ tasks ${millis(wp.runPerTaskMs.median)})`,
      met: wp.dispatchOverheadPerTaskMs.median <= 50,
    });
  }
  for (const q of r.queue.filter((x) => x.store === 'postgres')) {
    out.push({
      goal: 'queue throughput on PostgreSQL (no-op items)',
      target: '≥ 2,000 items/s',
      measured: `${Math.round(q.itemsPerSecond.median).toLocaleString('en-US')} items/s`,
      met: q.itemsPerSecond.median >= 2000,
    });
  }
  return out;
}

/** The results as Markdown: what `npm run bench` prints and docs/BENCHMARKS.md quotes. */
export function markdownReport(r: BenchResults): string {
  const m = r.machine;
  const parts: string[] = [
    `### ${r.mode} suite, ${r.runs} run(s) each, ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${seconds(r.elapsedMs)} in all`,
    `Machine: ${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB.toFixed(1)} GiB, ${m.platform}, Node ${m.node}, DuckDB ${m.duckdb}, nodejs-polars ${m.polars}; ` +
      `1-min load average ${m.loadAvgStart.toFixed(1)} at the start, ${m.loadAvgEnd.toFixed(1)} at the end. ` +
      `sluice at ${r.source.commit}${r.source.uncommittedFiles > 0 ? ` with ${r.source.uncommittedFiles} uncommitted file(s)` : ''}, run as ${r.source.build}.`,
  ];
  if (r.clinic.length > 0) {
    parts.push(
      '**Clinic example (seed 42): wall time, median (min–max)**',
      table(
        [
          'size',
          'raw rows',
          'sluice',
          'limit',
          'naive',
          'polars',
          'sluice ÷ limit',
          'naive ÷ sluice',
          'polars ÷ sluice',
        ],
        r.clinic.map((c) => [
          c.label,
          c.rawRows.toLocaleString('en-US'),
          ...CONTENDERS.map((n) => cell(c.contenders[n], (x) => x.wallMs, seconds)),
          ratio(c.ratios.sluiceOverLimit),
          ratio(c.ratios.naiveOverSluice),
          ratio(c.ratios.polarsOverSluice),
        ]),
      ),
      '**sluice split, and peak memory (RSS of the whole process tree, MiB, median)**',
      table(
        ['size', 'load + validate + plan', 'run loop', 'run loop ÷ limit', ...CONTENDERS.map((n) => `${n} RSS`)],
        r.clinic.map((c) => [
          c.label,
          range(c.sluicePrepareMs, seconds),
          range(c.sluiceRunMs, seconds),
          ratio(c.ratios.sluiceRunOverLimit),
          ...CONTENDERS.map((n) =>
            cell(
              c.contenders[n],
              (x) => x.maxRssMb,
              (v) => v.toFixed(0),
            ),
          ),
        ]),
      ),
    );
    const notes = r.clinic.flatMap((c) =>
      CONTENDERS.filter((n) => c.contenders[n].status !== 'ok').map(
        (n) =>
          `- ${c.label}, ${n}: ${c.contenders[n].status}: ${c.contenders[n].note ?? ''}${(c.contenders[n].problems ?? []).map((p) => `\n  - ${p}`).join('')}`,
      ),
    );
    if (notes.length > 0) parts.push(notes.join('\n'));
  }
  for (const [w, store] of [
    [r.wideDag, 'SQLite'],
    [r.wideDagPostgres, 'PostgreSQL'],
  ] as const) {
    if (!w) continue;
    parts.push(
      `**Wide DAG: ${w.models} tiny models (${w.chains} chains of ${w.depth}), ${w.workers} workers, metadata store and queue on ${store}**`,
      table(
        ['measure', 'median (min–max)'],
        [
          ['sluice wall time (load + validate + plan + run)', range(w.sluice.wallMs!, seconds)],
          ['sluice load + validate + plan', range(w.sluicePrepareMs, seconds)],
          ['sluice run loop', range(w.sluiceRunMs, seconds)],
          ['limit wall time', cell(w.limit, (x) => x.wallMs, seconds)],
          ['run loop ÷ tasks', range(w.runPerTaskMs, millis)],
          ['dispatch overhead per task', range(w.dispatchOverheadPerTaskMs, millis)],
          ['one sluice task (median)', range(w.sluiceTaskMs, millis)],
          ['one limit model (median)', w.limit.status === 'ok' ? range(w.limitModelMs, millis) : w.limit.status],
          [
            '(run loop − limit) ÷ tasks',
            w.limit.status === 'ok' ? range(w.overheadVsLimitPerTaskMs, millis) : w.limit.status,
          ],
          [
            'peak RSS sluice / limit (MiB)',
            `${w.sluice.maxRssMb!.median.toFixed(0)} / ${w.limit.maxRssMb ? w.limit.maxRssMb.median.toFixed(0) : '–'}`,
          ],
        ],
      ),
    );
  }
  const p = r.planning;
  if (p) {
    parts.push(
      `**Planning: ${p.models.toLocaleString('en-US')} model files, ${p.groups} groups**`,
      table(
        [
          'loadProject',
          'buildPlan',
          'total',
          'peak RSS (MiB)',
          `bind check (${p.bind.models.toLocaleString('en-US')} models, 1 run)`,
        ],
        [
          [
            range(p.loadMs, seconds),
            range(p.planMs, millis),
            range(p.totalMs, seconds),
            p.maxRssMb.median.toFixed(0),
            p.bind.ms === null ? p.bind.note : `${seconds(p.bind.ms)} (${p.bind.note})`,
          ],
        ],
      ),
    );
  }
  for (const inc of r.incremental) {
    parts.push(
      `**Optimizer: ${inc.shape.days} daily partitions of ${inc.shape.rowsPerDay.toLocaleString('en-US')} events (${inc.rawRows.toLocaleString('en-US')} rows), a fact and a daily report with \`incremental: replace\`**`,
      table(
        ['measure', 'median (min–max)'],
        [
          ['full build of the daily models', range(inc.fullMs, seconds)],
          ['daily run after one new day arrived', range(inc.incrementalMs, seconds)],
          ['full ÷ incremental', ratio(inc.fullMs.median / inc.incrementalMs.median)],
          ['re-run with nothing changed (everything skipped)', range(inc.unchangedMs, seconds)],
          [
            'work items the daily run built',
            Object.entries(inc.incrementalItems)
              .map(([m, n]) => `${m} ${n}`)
              .join(', ') || 'none',
          ],
          ['incremental output equals a full refresh', inc.sameAsFullRefresh ? 'yes (checksums)' : '**NO**'],
          [
            'bytes read: last 10% of days ÷ all days',
            `${inc.filteredBytesRatio.toFixed(3)} (${formatBytes(inc.filteredBytes)} ÷ ${formatBytes(inc.fullScanBytes)})`,
          ],
        ],
      ),
    );
  }
  const j = r.joins;
  if (j) {
    parts.push(
      `**Join strategy: ${j.shape.orders.toLocaleString('en-US')} orders (${formatBytes(j.inputBytes.orders)}) and ${j.shape.payments.toLocaleString('en-US')} payments (${formatBytes(j.inputBytes.payments)}) in ${j.shape.files} files each, 4,800 customers; broadcast_threshold ${formatBytes(j.thresholdBytes)}**`,
      table(
        ['model', 'strategy (items)', 'limit', 'sluice, one item', 'sluice, chosen', 'chosen ÷ limit'],
        [
          ...j.models.map((m) => [
            m.name,
            `${m.strategy} (${m.items})`,
            seconds(m.limitMs),
            seconds(m.singleMs),
            seconds(m.chosenMs),
            ratio(m.chosenMs / m.limitMs),
          ]),
          [
            'whole run',
            '',
            range(j.limitMs, seconds),
            range(j.singleMs, seconds),
            range(j.chosenMs, seconds),
            ratio(j.chosenMs.median / j.limitMs.median),
          ],
        ],
      ),
      j.sameOutput
        ? 'Same rows from the limit and both layouts (checksums).'
        : `**OUTPUT DIFFERS**: ${j.problems.join('; ')}`,
    );
  }
  if (r.queue.length > 0) {
    parts.push(
      '**Work-item queue: no-op items claimed and completed by separate processes**',
      table(
        ['store', 'items', 'tasks', 'claimers', 'items/s', 'claim + complete per item (one claimer)'],
        r.queue.map((q) => [
          q.store,
          q.shape.items.toLocaleString('en-US'),
          String(q.shape.tasks),
          String(q.shape.claimers),
          range(q.itemsPerSecond, (n) => Math.round(n).toLocaleString('en-US')),
          range(q.msPerItem, millis),
        ]),
      ),
    );
  }
  parts.push(
    '**Goals**',
    table(
      ['goal', 'target', 'measured (median)', 'met?'],
      goals(r).map((g) => [g.goal, g.target, g.measured, g.met === null ? 'not measured' : g.met ? 'yes' : '**no**']),
    ),
  );
  if (r.polarsNote) parts.push(`Peer: ${r.polarsNote}.`);
  return `${parts.join('\n\n')}\n`;
}
