/**
 * The sources the archive can read, by `source.kind`: the one place where concrete sources are
 * wired in. The commands (run, serve, connector check) hand this registry to the pipeline, which
 * knows sources only through the seam in `./types.ts`; a new kind is added here.
 */
import { openSandboxSource } from './sandbox/source.js';
import type { SourceRegistry } from './types.js';
import { openWecomSource } from './wecom/open.js';

export const SOURCES: SourceRegistry = {
  wecom: openWecomSource,
  sandbox: openSandboxSource,
};

export type * from './types.js';
