/*
 * The node flags every `crmsync` process runs with (bin/crmsync.js's shebang, the root package's
 * `start` and `crmsync` scripts, the bench's CLI runs; cli-node-flags.test.ts keeps them equal).
 *
 * A heap cap: what crmsync keeps live is small and does not grow with the size of a run (56 MB
 * after a full GC for 20,000 and 100,000 people). On a machine with a large default heap limit V8
 * lets old space grow to several times that before collecting it, so peak memory would follow the
 * run's length instead of its working set; with this cap it stays the same at any size.
 */
export const CLI_NODE_FLAGS: readonly string[] = ['--max-old-space-size=1536'];
