/** Output helpers shared by the commands: JSON or human text, to injectable streams (tests capture them). */
export interface Io {
  /** standard output; a Buffer is written byte for byte (item show --mime) */
  out: (text: string | Buffer) => void;
  err: (text: string) => void;
  /** true when stderr is a terminal (progress bars only then) */
  tty: boolean;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  tty: Boolean(process.stderr.isTTY),
};

/** The status a shell reports for a command that SIGPIPE ended (128 + 13), as `cat` or `git log` under `| head`. */
export const CLOSED_OUTPUT_EXIT = 141;

/**
 * When the reader of the command's output goes away (`wechat-archiver search ... | head`), the
 * command stops at once and quietly with CLOSED_OUTPUT_EXIT, as the standard tools do when
 * SIGPIPE ends them. Node ignores SIGPIPE, so a write after the reader closed raised an
 * unhandled EPIPE error and printed its stack trace. Stopping mid-command is safe: every command
 * that writes keeps its work crash-safe (the store's transactions; an export resumes), and the
 * output it still had to give has no reader. Any other error on the streams is raised as before.
 */
export function stopWhenOutputCloses(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const s of streams)
    s.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(CLOSED_OUTPUT_EXIT);
      throw err;
    });
}

export function printJson(io: Io, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

/** Left-aligned columns for human tables. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, [...c].length)));
  return (
    rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')).join('\n') + '\n'
  );
}

export function isoTime(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '-' : new Date(ms).toISOString().replace('.000Z', 'Z');
}
