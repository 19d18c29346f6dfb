import type { BenchResults, ContenderName } from './results.js';

/**
 * docs/bench-clinic.svg: a grouped bar chart of the clinic wall times, one group per size, one
 * bar per contender (median, with a min–max whisker), on a log scale so that the limit and the
 * naive baseline fit on one chart. Hand-written SVG, no dependency.
 */
const SERIES: readonly { name: ContenderName; label: string; color: string }[] = [
  { name: 'sluice', label: 'sluice', color: '#2f6fb0' },
  { name: 'limit', label: 'limit (DuckDB by hand)', color: '#6aa84f' },
  { name: 'naive', label: 'naive (process per model, CSV, recompute)', color: '#cc4125' },
  { name: 'polars', label: 'polars (peer)', color: '#9e7cc1' },
];

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function clinicSvg(r: BenchResults): string {
  const series = SERIES.filter((s) => r.clinic.some((c) => c.contenders[s.name].status === 'ok'));
  const width = 760;
  const height = 420;
  const left = 64;
  const right = 16;
  const top = 56;
  const bottom = 92;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const values = r.clinic.flatMap((c) =>
    series
      .map((s) => c.contenders[s.name].wallMs)
      .filter((v) => v !== undefined)
      .flatMap((v) => [v.min, v.max]),
  );
  const lo = Math.pow(10, Math.floor(Math.log10(Math.max(1, Math.min(...values, 1000)) / 1000)));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...values, 1000) / 1000)));
  const y = (ms: number) =>
    top + plotH - ((Math.log10(ms / 1000) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${left}" y="22" font-size="15" font-weight="bold">Clinic example: wall time per run (median, min–max), log scale</text>`,
    `<text x="${left}" y="40" fill="#555">${esc(`${r.mode} suite, ${r.runs} runs, ${r.machine.cpus} cores, DuckDB ${r.machine.duckdb}, Node ${r.machine.node}, ${r.startedAt.slice(0, 10)}`)}</text>`,
  ];
  for (let t = lo; t <= hi * 1.0001; t *= 10) {
    for (const k of [1, 2, 5]) {
      const v = t * k;
      if (v > hi * 1.0001) break;
      const yy = y(v * 1000).toFixed(1);
      out.push(
        `<line x1="${left}" x2="${width - right}" y1="${yy}" y2="${yy}" stroke="${k === 1 ? '#ccc' : '#eee'}"/>`,
      );
      out.push(
        `<text x="${left - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle" fill="#555">${v >= 1 ? v : v.toFixed(2)} s</text>`,
      );
    }
  }
  const groupW = plotW / Math.max(1, r.clinic.length);
  const barW = Math.min(44, (groupW * 0.8) / Math.max(1, series.length));
  r.clinic.forEach((c, g) => {
    const x0 = left + g * groupW + (groupW - barW * series.length) / 2;
    series.forEach((s, i) => {
      const res = c.contenders[s.name];
      const x = x0 + i * barW;
      if (res.status !== 'ok' || !res.wallMs) {
        out.push(
          `<text x="${(x + barW / 2).toFixed(1)}" y="${top + plotH - 6}" text-anchor="middle" font-size="10" fill="${s.color}" transform="rotate(-90 ${(x + barW / 2).toFixed(1)} ${top + plotH - 6})">${esc(res.status)}</text>`,
        );
        return;
      }
      const yTop = y(res.wallMs.median);
      out.push(
        `<rect x="${(x + 2).toFixed(1)}" y="${yTop.toFixed(1)}" width="${(barW - 4).toFixed(1)}" height="${(top + plotH - yTop).toFixed(1)}" fill="${s.color}"><title>${esc(`${c.label} ${s.name}: ${(res.wallMs.median / 1000).toFixed(2)} s`)}</title></rect>`,
      );
      const cx = (x + barW / 2).toFixed(1);
      out.push(
        `<line x1="${cx}" x2="${cx}" y1="${y(res.wallMs.max).toFixed(1)}" y2="${y(res.wallMs.min).toFixed(1)}" stroke="#222"/>`,
      );
      out.push(
        `<text x="${cx}" y="${(y(res.wallMs.max) - 4).toFixed(1)}" text-anchor="middle" font-size="10">${(res.wallMs.median / 1000).toFixed(1)}</text>`,
      );
    });
    const cx = left + g * groupW + groupW / 2;
    out.push(`<text x="${cx.toFixed(1)}" y="${top + plotH + 18}" text-anchor="middle">${esc(c.label)}</text>`);
    out.push(
      `<text x="${cx.toFixed(1)}" y="${top + plotH + 33}" text-anchor="middle" fill="#555" font-size="11">${c.rawRows.toLocaleString('en-US')} raw rows</text>`,
    );
  });
  out.push(`<line x1="${left}" x2="${width - right}" y1="${top + plotH}" y2="${top + plotH}" stroke="#333"/>`);
  series.forEach((s, i) => {
    const x = left + (i % 2) * 330;
    const yy = height - 36 + Math.floor(i / 2) * 18;
    out.push(
      `<rect x="${x}" y="${yy - 9}" width="12" height="12" fill="${s.color}"/><text x="${x + 18}" y="${yy + 1}">${esc(s.label)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
