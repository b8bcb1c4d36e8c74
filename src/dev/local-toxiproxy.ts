import { freePorts } from '../net/free-ports.js';
import { findTool } from '../tools/find-tool.js';
import { startLocalServer } from './local-server.js';

export interface RunningToxiproxy {
  /** Its HTTP API, as `sre chaos run --toxiproxy` takes it. */
  readonly api: string;
  /** A proxy named `name` from `listen` (host:port) to `upstream` (host:port), enabled. */
  proxy(name: string, listen: string, upstream: string): Promise<void>;
  stop(): Promise<void>;
}

/** A throwaway Toxiproxy server on loopback (toxiproxy-server, built by scripts/setup), ready once /version answers. */
export async function startToxiproxy(): Promise<RunningToxiproxy> {
  const [port = 0] = await freePorts(1);
  const api = `http://127.0.0.1:${port}`;
  const server = await startLocalServer('toxiproxy', findTool('toxiproxy-server'), ['-host', '127.0.0.1', '-port', String(port)], `${api}/version`);
  return {
    api,
    proxy: (name, listen, upstream) => createProxy(api, name, listen, upstream),
    stop: () => server.stop(),
  };
}

/** Creates an enabled proxy through Toxiproxy's API. */
export async function createProxy(api: string, name: string, listen: string, upstream: string): Promise<void> {
  const response = await fetch(`${api}/proxies`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, listen, upstream, enabled: true }), signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`toxiproxy refused proxy ${name}: ${response.status} ${await response.text()}`);
}
