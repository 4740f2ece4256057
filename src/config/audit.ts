/** The `audit` section: how long the audit log itself is kept, and how often `serve` prunes it. */
import { z } from 'zod';

export const auditSchema = z
  .object({
    retentionDays: z
      .number()
      .int()
      .min(1)
      .max(36_600)
      .optional()
      .describe(
        'Keep audit events this many days (default: forever). Never shorter than the longest retention policy: pruning refuses a shorter setting. Events of an open case are kept while it is open.',
      ),
    pruneEveryMinutes: z
      .number()
      .int()
      .min(0)
      .default(1440)
      .describe(
        'serve: prune audit events older than retentionDays this often (minutes, default 1440 = daily; 0 turns the schedule off, `audit prune` still works). Nothing happens without retentionDays.',
      ),
  })
  .default({ pruneEveryMinutes: 1440 })
  .describe("The audit log's own retention. By default every audit event is kept forever.");
