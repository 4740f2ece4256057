/**
 * A secret in the configuration file can be written as `{ "env": "NAME" }` instead of the
 * value, so that the file itself holds no secret: the value is read from that environment
 * variable when the configuration loads, then checked like a value written in place.
 */
import { z } from 'zod';

const envRef = z
  .object({
    env: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
      .describe('Name of the environment variable that holds the secret.'),
  })
  .strict();

/** Marks the issue of a secret whose environment variable is unset (read by the read-only loader). */
export const UNSET_SECRET = 'unsetSecretEnv';

/** `base` as a value or an environment reference; the loaded configuration holds the value. */
export function secretField<T extends z.ZodType<string, string>>(base: T) {
  return z
    .union([z.string(), envRef])
    .transform((v, ctx) => {
      if (typeof v === 'string') return v;
      const value = process.env[v.env];
      if (value === undefined || value === '') {
        ctx.addIssue({
          code: 'custom',
          params: { [UNSET_SECRET]: v.env },
          message: `the environment variable ${v.env} is not set; export it before starting (or write the value here)`,
        });
        return z.NEVER;
      }
      return value;
    })
    .pipe(base);
}
