/**
 * Admission: whether a task may start now. The sole authority on capacity in a run: a task
 * starts only if the run has a free worker slot and its group is below its step concurrency.
 * (Capacity-share queues join here when work items arrive.)
 */
export class Admission {
  private running = 0;
  private readonly perGroup = new Map<string, number>();

  constructor(
    private readonly workers: number,
    private readonly concurrencyOf: (group: string) => number,
  ) {
    if (!(workers >= 1)) throw new Error(`workers must be >= 1, got ${workers}`);
  }

  canStart(group: string): boolean {
    return this.running < this.workers && (this.perGroup.get(group) ?? 0) < this.concurrencyOf(group);
  }

  start(group: string): void {
    if (!this.canStart(group)) throw new Error(`admission: group ${group} has no free slot`);
    this.running++;
    this.perGroup.set(group, (this.perGroup.get(group) ?? 0) + 1);
  }

  finish(group: string): void {
    this.running--;
    this.perGroup.set(group, (this.perGroup.get(group) ?? 1) - 1);
  }

  get inFlight(): number {
    return this.running;
  }
}
