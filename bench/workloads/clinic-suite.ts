import type { DuckDBConnection } from '@duckdb/node-api';
import { rmSync } from 'node:fs';
import { loadProject } from '../../src/catalog/load-project.js';
import { errorMessage } from '../../src/core/errors.js';
import { runInChild, type ChildOutcome } from '../child.js';
import { limitJob, type LimitResult } from '../contenders/limit.js';
import type { NaiveResult } from '../contenders/naive.js';
import type { PolarsAvailability } from '../contenders/polars-binding.js';
import type { PolarsResult } from '../contenders/polars.js';
import { sluiceResetDirs, type SluiceResult } from '../contenders/sluice.js';
import type { ClinicResult, ContenderName, ContenderResult, ContenderStatus } from '../results.js';
import { summarise } from '../stats.js';
import { checksumFolders, checksumSluice, compareChecksums, type Checksums } from '../verify.js';
import type { ClinicWorkload } from './clinic.js';

const SLUICE = new URL('../contenders/sluice.ts', import.meta.url).href;
const LIMIT = new URL('../contenders/limit.ts', import.meta.url).href;
const POLARS = new URL('../contenders/polars.ts', import.meta.url).href;
const NAIVE = new URL('../contenders/naive.ts', import.meta.url).href;

export interface SuiteOptions {
  readonly runs: number;
  readonly workers: number;
  /** Where the sluice under test lives (SluiceBuild.dir). */
  readonly build: string;
  /** null: the peer is switched off (--no-polars). */
  readonly polars: PolarsAvailability | null;
  /** For checksums. */
  readonly conn: DuckDBConnection;
  readonly log: (line: string) => void;
}

interface Tally {
  status: ContenderStatus;
  note?: string;
  problems?: readonly string[];
  wall: number[];
  rss: number[];
}

/**
 * Runs every contender `runs` times on one clinic size, interleaved (sluice, limit, naive,
 * polars, then again), and verifies each contender's first output against sluice's.
 */
export async function benchClinic(w: ClinicWorkload, opts: SuiteOptions): Promise<ClinicResult> {
  const project = await loadProject(w.root);
  const folders = [...project.models.values()].map((m) => ({ name: m.name, partitioned: m.partitionBy.length > 0 }));
  const names = folders.map((f) => f.name);
  const out = (name: string) => `${w.root}-out/${name}`;
  const tally: Record<ContenderName, Tally> = {
    sluice: { status: 'ok', wall: [], rss: [] },
    limit: { status: 'ok', wall: [], rss: [] },
    naive: { status: 'ok', wall: [], rss: [] },
    polars: opts.polars?.ok
      ? { status: 'ok', wall: [], rss: [] }
      : { status: 'unavailable', note: opts.polars?.note ?? 'switched off (--no-polars)', wall: [], rss: [] },
  };
  const prepare: number[] = [];
  const runLoop: number[] = [];
  let reference: Checksums = {};

  /** Runs one contender once; verifies its output on its first run. */
  const attempt = async (
    name: ContenderName,
    run: number,
    go: () => Promise<{ wallMs: number; maxRssMb: number }>,
    outDir: string,
  ): Promise<string> => {
    const t = tally[name];
    if (t.status !== 'ok') return `${name} ${t.status}`;
    try {
      const r = await go();
      if (run === 1) {
        const verdict = compareChecksums(reference, await checksumFolders(opts.conn, outDir, folders), names);
        if (!verdict.ok) {
          Object.assign(t, {
            status: 'WRONG',
            problems: verdict.problems,
            note: `output differs from sluice's in ${verdict.problems.length} model(s)`,
          });
          return `${name} WRONG`;
        }
      }
      t.wall.push(r.wallMs);
      t.rss.push(r.maxRssMb);
      return `${name} ${(r.wallMs / 1000).toFixed(2)}s`;
    } catch (err) {
      Object.assign(t, { status: 'failed', note: errorMessage(err).split('\n').slice(0, 3).join(' ') });
      return `${name} FAILED`;
    }
  };
  const viaChild = <T extends { wallMs: number }>(o: ChildOutcome<T>) => ({
    wallMs: o.result.wallMs,
    maxRssMb: o.treeRssMb,
  });

  for (let run = 1; run <= opts.runs; run++) {
    const line: string[] = [];
    const s = await runInChild<SluiceResult>(SLUICE, {
      root: w.root,
      build: opts.build,
      workers: opts.workers,
      reset: sluiceResetDirs(project),
    });
    if (s.result.status !== 'succeeded') {
      const failed = s.result.tasks.filter((t) => t.status !== 'succeeded').map((t) => t.model);
      throw new Error(`${w.label}: sluice run ${s.result.status} (${failed.join(', ')}); nothing to compare with`);
    }
    if (run === 1) reference = await checksumSluice(opts.conn, w.root);
    tally.sluice.wall.push(s.result.wallMs);
    tally.sluice.rss.push(s.treeRssMb);
    prepare.push(s.result.prepareMs);
    runLoop.push(s.result.runMs);
    line.push(`sluice ${(s.result.wallMs / 1000).toFixed(2)}s`);
    line.push(
      await attempt(
        'limit',
        run,
        async () => viaChild(await runInChild<LimitResult>(LIMIT, limitJob(project, out('limit')))),
        out('limit'),
      ),
    );
    line.push(
      await attempt(
        'naive',
        run,
        async () =>
          viaChild(
            await runInChild<NaiveResult>(NAIVE, {
              root: w.root,
              csv: w.csv,
              outDir: out('naive'),
              workers: opts.workers,
            }),
          ),
        out('naive'),
      ),
    );
    line.push(
      await attempt(
        'polars',
        run,
        async () =>
          viaChild(await runInChild<PolarsResult>(POLARS, { root: w.root, outDir: out('polars') }, opts.polars!.env)),
        out('polars'),
      ),
    );
    opts.log(`  ${w.label}  run ${run}/${opts.runs}: ${line.join('  ')}`);
  }
  rmSync(`${w.root}-out`, { recursive: true, force: true });

  const result = (t: Tally): ContenderResult => ({
    status: t.status,
    ...(t.note !== undefined && { note: t.note }),
    ...(t.problems !== undefined && { problems: t.problems }),
    ...(t.status === 'ok' && t.wall.length > 0 && { wallMs: summarise(t.wall), maxRssMb: summarise(t.rss) }),
  });
  const contenders = {
    sluice: result(tally.sluice),
    limit: result(tally.limit),
    naive: result(tally.naive),
    polars: result(tally.polars),
  };
  const median = (c: ContenderResult) => (c.status === 'ok' ? (c.wallMs?.median ?? null) : null);
  const ratio = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? a / b : null);
  const sluiceMedian = median(contenders.sluice);
  const runMedian = summarise(runLoop).median;
  return {
    label: w.label,
    days: w.size.days,
    scale: w.size.scale,
    rawRows: w.rawRows,
    rawBytes: w.rawBytes,
    models: names.length,
    outputRows: Object.values(reference).reduce((sum, c) => sum + c.rows, 0),
    contenders,
    sluicePrepareMs: summarise(prepare),
    sluiceRunMs: summarise(runLoop),
    ratios: {
      sluiceOverLimit: ratio(sluiceMedian, median(contenders.limit)),
      sluiceRunOverLimit: ratio(runMedian, median(contenders.limit)),
      naiveOverSluice: ratio(median(contenders.naive), sluiceMedian),
      polarsOverSluice: ratio(median(contenders.polars), sluiceMedian),
    },
  };
}
