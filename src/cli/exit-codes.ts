/** Process exit codes, documented in docs/guide.md, "Errors and exit codes". */
export const EXIT = {
  ok: 0,
  /** A run finished with failed tasks, or a command could not do its work. */
  failed: 1,
  /** The project, selection or command line is invalid: nothing ran. */
  invalid: 2,
  usage: 2,
  internal: 70,
  /** Interrupted by SIGINT/SIGTERM. */
  interrupted: 130,
} as const;
