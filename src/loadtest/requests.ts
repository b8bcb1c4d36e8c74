import type { TrafficRequest } from '../catalog/model.js';

/** A request ready to send: the concrete path, and the template it stands for (its route tag). */
export interface ConcreteRequest {
  readonly service: string;
  readonly method: string;
  readonly route: string;
  readonly path: string;
  readonly credentials: TrafficRequest['credentials'];
  readonly body: string | undefined;
  readonly expectStatus: number;
  readonly expectBodyKey: string | undefined;
  /** The body carries a load-test user's login: the request is made as that user, from their address. */
  readonly asUser: boolean;
}

export interface LoginUser {
  readonly email: string;
  readonly password: string;
}

export type Random = () => number;

/** Picks entries by weight: a cumulative table and a binary search, one random number a pick. */
export class WeightedPicker<T extends { readonly weight: number }> {
  private readonly cumulative: number[] = [];
  private readonly total: number;

  constructor(private readonly entries: readonly T[]) {
    let sum = 0;
    for (const entry of entries) {
      sum += entry.weight;
      this.cumulative.push(sum);
    }
    this.total = sum;
    if (entries.length === 0 || sum <= 0) throw new Error('nothing to pick from: the mix is empty or weighs nothing');
  }

  pick(random: Random): T {
    const point = random() * this.total;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.cumulative[middle] ?? 0) > point) high = middle;
      else low = middle + 1;
    }
    return this.entries[low] as T;
  }
}

const PARAMETER = /\{([A-Za-z][A-Za-z0-9_]*)\}/g;

/** The template with each {parameter} replaced by one of its values, picked at random. */
export function concretePath(template: string, params: Readonly<Record<string, readonly string[]>>, random: Random): string {
  return template.replace(PARAMETER, (_, name: string) => {
    const values = params[name] ?? [];
    return encodeURIComponent(values[Math.floor(random() * values.length)] ?? name);
  });
}

/** The JSON body, with ${email} and ${password} filled from a load-test user. */
export function concreteBody(body: Readonly<Record<string, unknown>> | undefined, user: LoginUser | undefined): string | undefined {
  if (body === undefined) return undefined;
  const text = JSON.stringify(body);
  return user ? text.replaceAll('${email}', jsonString(user.email)).replaceAll('${password}', jsonString(user.password)) : text;
}

function jsonString(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

export function concreteRequest(service: string, request: TrafficRequest, params: Readonly<Record<string, readonly string[]>>, user: LoginUser | undefined, random: Random): ConcreteRequest {
  return {
    service,
    method: request.method,
    route: request.endpoint,
    path: concretePath(request.endpoint, params, random),
    credentials: request.credentials,
    body: concreteBody(request.body, user),
    expectStatus: request.expectStatus,
    expectBodyKey: request.expectBodyKey,
    asUser: request.body !== undefined && JSON.stringify(request.body).includes('${'),
  };
}
