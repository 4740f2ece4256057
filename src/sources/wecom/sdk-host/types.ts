/**
 * The SDK host's public types that are neither messages nor options: how it logs and what it
 * reports about its host processes.
 */

/** pino's methods, as far as the host uses them. */
export interface HostLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface HostStats {
  /** host processes started */
  starts: number;
  /** hosts that died on their own (signal or exit code) */
  crashes: number;
  /** hosts killed by the watchdog */
  hangs: number;
  /** calls answered */
  replies: number;
  /** how the last host that died ended, e.g. "signal SIGSEGV" */
  lastExit?: string;
}
