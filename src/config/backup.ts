/** The `backup` section: a second copy made by `serve` on a schedule. */
import { z } from 'zod';

export const backupSchema = z
  .object({
    dir: z
      .string()
      .describe('Backup directory, best on another disk or a mount of another machine; relative to the config file.'),
    everyHours: z
      .number()
      .min(1 / 3600)
      .default(24)
      .describe('Hours between backups while serve runs (default 24); the first one runs an interval after start.'),
  })
  .optional()
  .describe('Scheduled backups by serve (the same as `wechat-archiver backup --to DIR`); off when absent.');
