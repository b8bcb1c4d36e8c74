import { isIP } from 'node:net';
import { Agent, Client, type Dispatcher } from 'undici';

/**
 * The connections a run sends from. Against a loopback target each client has a source address of
 * its own (127.0.1.x): the gateway limits logins and failed authentications per client address, and
 * production traffic comes from many. Elsewhere every client shares the machine's address, and the
 * target's per-address limits apply to the whole run (docs/load-gate.md).
 */
export class ClientPool {
  private readonly agents: { readonly address: string | undefined; readonly agent: Agent }[];
  private readonly singles: Client[] = [];
  private next = 0;

  constructor(
    private readonly origin: string,
    readonly addresses: readonly (string | undefined)[],
  ) {
    this.agents = addresses.map((address) => ({ address, agent: new Agent({ keepAliveTimeout: 30_000, ...(address ? { localAddress: address } : {}) }) }));
  }

  static for(target: URL, loopbackAddresses = DEFAULT_LOOPBACK_ADDRESSES): ClientPool {
    const loopback = isIP(target.hostname) === 4 && target.hostname.startsWith('127.');
    const addresses = loopback ? Array.from({ length: loopbackAddresses }, (_, index) => `127.0.${1 + Math.floor(index / 250)}.${1 + (index % 250)}`) : [undefined];
    return new ClientPool(target.origin, addresses);
  }

  /** The next client in turn, for requests that belong to no one in particular. */
  any(): Dispatcher {
    const entry = this.agents[this.next++ % this.agents.length];
    if (!entry) throw new Error('no clients');
    return entry.agent;
  }

  /** The client of identity `index` (a jwt user, a login), always the same one. */
  of(index: number): Dispatcher {
    return (this.agents[index % this.agents.length] ?? this.agents[0])?.agent as Dispatcher;
  }

  /** A connection of its own, for a concurrent user: one socket, one request at a time. */
  single(index: number): Dispatcher {
    const address = this.addresses[index % this.addresses.length];
    const client = new Client(this.origin, { pipelining: 1, keepAliveTimeout: 600_000, ...(address ? { localAddress: address } : {}) });
    this.singles.push(client);
    return client;
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.map((entry) => entry.agent.destroy()), ...this.singles.map((client) => client.destroy())]);
  }
}

const DEFAULT_LOOPBACK_ADDRESSES = 256;
