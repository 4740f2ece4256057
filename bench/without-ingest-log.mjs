// `node --import tsx --import ./bench/without-ingest-log.mjs ...`: the pipeline without its ingest log.
import { register } from 'node:module';

register('./without-ingest-log-hooks.mjs', import.meta.url);
