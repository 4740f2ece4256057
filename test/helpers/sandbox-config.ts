/** Writes a configuration file with one sandbox connector, the shape most end-to-end tests use. */
import { writeFile } from 'node:fs/promises';

export async function writeSandboxConfig(
  file: string,
  c: { dataDir: string; id: string; sandbox: string; mapping: Record<string, unknown> },
): Promise<void> {
  await writeFile(
    file,
    JSON.stringify({
      dataDir: c.dataDir,
      workers: 0,
      connectors: [{ id: c.id, source: { kind: 'sandbox', dir: c.sandbox }, mapping: c.mapping }],
    }),
  );
}
