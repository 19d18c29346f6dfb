/**
 * How the coordinator talks to the workers: wake-up hints both ways. Workers may be anywhere
 * (`launcher/` implements it for worker processes and in-process loops; the coordinator takes
 * any implementation and never imports the launcher).
 */
export interface WorkerSignals {
  /** Tell workers new items are queued (a hint; they also poll). */
  wake(): void;
  /** Resolve when a worker reports progress, or after `ms` (the coordinator also polls). */
  waitForChange(ms: number): Promise<void>;
}
