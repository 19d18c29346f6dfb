/**
 * Measures one attempt in a worker process: wall time, CPU time (user + system, DuckDB's
 * threads included: they run in this process) and peak resident memory. Peak RSS is sampled
 * (every `sampleMs`) and corrected by the kernel's lifetime maximum when that grew during the
 * attempt, so a short spike between samples is not missed.
 */
export interface AttemptUsage {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly peakRssBytes: number;
}

export interface AttemptMeter {
  stop(): AttemptUsage;
}

export function startAttemptMeter(sampleMs = 100): AttemptMeter {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const maxRss0 = process.resourceUsage().maxRSS; // KiB
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, sampleMs);
  timer.unref();
  let done: AttemptUsage | undefined;
  return {
    stop() {
      if (done) return done;
      clearInterval(timer);
      const cpu = process.cpuUsage(cpu0);
      const maxRss1 = process.resourceUsage().maxRSS;
      peak = Math.max(peak, process.memoryUsage.rss());
      if (maxRss1 > maxRss0) peak = Math.max(peak, maxRss1 * 1024);
      done = {
        wallMs: Math.round(performance.now() - t0),
        cpuMs: Math.round((cpu.user + cpu.system) / 1000),
        peakRssBytes: peak,
      };
      return done;
    },
  };
}
