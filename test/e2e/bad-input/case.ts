/**
 * One bad input for the table-driven suite (bad-input.test.ts): a change to a small project that
 * was built once (see base-project.ts), a command, and what a user must get back.
 *
 * Case files (`cases-<topic>.ts`) export `cases: readonly BadInputCase[]`; the suite runs every
 * case of every such file against a fresh copy of the built project, at the same path, so
 * fingerprints and the metadata store see the project they built.
 */
export interface BadInputCase {
  /** Unique; says what is wrong (`model SQL reads /etc/passwd with read_csv`). */
  readonly name: string;
  /** Files to write over the built project (path relative to its root -> content). */
  readonly files?: Readonly<Record<string, string>>;
  /** Files to delete from the built project before the command (relative paths). */
  readonly remove?: readonly string[];
  /** More setup after `files`/`remove`, before the command (e.g. corrupt a manifest). */
  readonly setup?: (p: BadInputProject) => void | Promise<void>;
  /** The CLI arguments; `@root` is replaced by the project's root, `@warehouse` by its warehouse. */
  readonly args: readonly string[];
  /** The documented exit code (docs/guide.md "Errors and exit codes"). */
  readonly exit: number;
  /** What the output (stderr, then stdout) must say: it names the file:line, model or key. */
  readonly message: RegExp;
  /** What the output must NOT say (a secret from the arguments, an internal name). */
  readonly forbid?: RegExp;
  /** Models whose published files may change (a run that fails one model may publish others). */
  readonly mayPublish?: readonly string[];
  /** Extra environment for the command. */
  readonly env?: Readonly<Record<string, string>>;
  /** How long the command may take (default 60 s). */
  readonly timeoutMs?: number;
}

/** The project a case runs against. */
export interface BadInputProject {
  readonly root: string;
  readonly warehouse: string;
  write(rel: string, content: string): void;
}
