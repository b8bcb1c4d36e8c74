import { existsSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { readBenchSettings } from './bench-settings.js';
import { cpuLayoutFromEnv, pinProcess } from './cpu-pinning.js';
import { spansDroppedIn } from './dropped-spans.js';
import { measureFixedRate } from './fixed-rate.js';
import { report } from './report.js';
import { PROXY_IDS, startRig } from './setup.js';
import { inTemporaryDirectory } from './temporary-directory.js';
import { measureThroughput } from './throughput.js';

/**
 * The gateway benchmark: the same instant simulator endpoint behind a bare node:http proxy,
 * fastify + @fastify/http-proxy, and this gateway at 0 %, 10 % and 100 % trace sampling. First
 * closed-loop maximum throughput (wrk), then p99 at a fixed arrival rate (vegeta). The method, and
 * why each setting has its default: docs/performance/methodology.md.
 */
const settings = readBenchSettings(process.env);
const pinning = cpuLayoutFromEnv(process.env);
const VEGETA = resolve('.tools/bin/vegeta');

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(dir: string): Promise<void> {
  if (!existsSync(VEGETA)) throw new Error('vegeta is missing; run scripts/setup (it builds vegeta into .tools/bin)');
  // The benchmark itself is mostly idle, but it must not take the proxies' core when it is not.
  if (pinning) pinProcess(process.pid, pinning.rest);
  const rig = await startRig(dir, pinning);
  process.on('SIGINT', () => void rig.stop().then(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  }));
  try {
    log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}; wrk -t1 -c${settings.connections}, ${settings.seconds} s per run, ${settings.rounds} rounds, interleaved, after ${settings.warmupRuns} warm-up runs each; ${pinning ? `pinned: proxies on CPU ${pinning.proxy}, load generator, simulator and sink on CPU ${pinning.rest}` : 'unpinned (BENCH_PIN=1 gives the proxy under test a core of its own)'}`);
    const throughput = await measureThroughput(rig, settings, pinning, log);
    const fixed = await measureFixedRate(rig, settings, VEGETA, pinning, log);
    const gateways = PROXY_IDS.filter((id) => id.startsWith('gateway-'));
    const spansDropped = Object.fromEntries(await Promise.all(gateways.map(async (id) => [id, spansDroppedIn(await (await fetch(`http://127.0.0.1:${rig.proxies[id].port}/metrics`)).text())] as const)));
    report({ rig, settings, pinning, throughput, fixed, spansDropped }, log);
  } finally {
    await rig.stop();
  }
}

// The benchmark's state (catalog, API key) lives in a temporary directory, gone when it ends.
await inTemporaryDirectory(main);
