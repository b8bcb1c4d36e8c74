/**
 * Node.js flags every launcher of the gateway passes (`sre up`, the benchmark, and the container
 * image as NODE_OPTIONS): a larger young generation halves the event loop's GC pauses
 * (docs/adr/0004-semi-space-flag.md). V8 sizes its heap before any JavaScript runs, so only at start.
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
