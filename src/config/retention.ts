/** The `retention` section: how often `serve` runs disposition. Policies themselves live in the database. */
import { z } from 'zod';

export const retentionSchema = z
  .object({
    dispositionEveryMinutes: z
      .number()
      .int()
      .min(0)
      .default(1440)
      .describe(
        'serve: run disposition (delete what expired under a retention policy, batch what needs review) this often (minutes, default 1440 = daily; 0 turns the schedule off, `retention run` still works).',
      ),
  })
  .default({ dispositionEveryMinutes: 1440 })
  .describe('Retention: the disposition schedule. With no policy (the default) nothing is ever deleted.');
