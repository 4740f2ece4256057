// The runs with the ingest log in bench/ingest-log.bench.ts load this through NODE_OPTIONS, as the
// runs without it load bench/without-ingest-log.mjs: each thread then loads one small module on
// both sides. It changes nothing.
export {};
