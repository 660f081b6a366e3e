// The data-route table every part registers into (REST, collections, composite, SOQL, Bulk).
// Routes match EmuRequest.path (the part after /services/data/vNN.0) in registration order.
import type { RouteHandler, RouteOptions, RouteRegistry } from '../contracts.js';

export interface Route {
  method: string;
  pattern: RegExp;
  handler: RouteHandler;
  counted: boolean;
  /** `/sobjects/{type}/{id}`: the pattern with its groups named, for request tallies. */
  label: string;
}

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'wrong-method'; allowed: string[] }
  | { kind: 'none' };

function labelOf(pattern: RegExp): string {
  return pattern.source
    .replace(/^\^/, '')
    .replace(/\$$/, '')
    .replace(/\(\?<(\w+)>(?:[^()]|\([^()]*\))*\)/g, '{$1}')
    .replace(/\\\//g, '/')
    .replace(/\/\?$/, '')
    .replace(/\(\?:\/\)\?$/, '')
    .replace(/\\\./g, '.');
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export class RouteTable implements RouteRegistry {
  private readonly routes: Route[] = [];

  add(method: string, pattern: RegExp, handler: RouteHandler, options: RouteOptions = {}): void {
    this.routes.push({
      method: method.toUpperCase(),
      pattern,
      handler,
      counted: options.counted ?? true,
      label: labelOf(pattern),
    });
  }

  match(method: string, path: string): RouteMatch {
    const first = this.matchExact(method, path);
    if (first.kind !== 'none' || !path.endsWith('/') || path === '/') return first;
    return this.matchExact(method, path.slice(0, -1));
  }

  private matchExact(method: string, path: string): RouteMatch {
    const allowed: string[] = [];
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (m === null) continue;
      if (route.method !== method) {
        if (!allowed.includes(route.method)) allowed.push(route.method);
        continue;
      }
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(m.groups ?? {})) if (v !== undefined) params[k] = decode(v);
      return { kind: 'found', route, params };
    }
    return allowed.length > 0 ? { kind: 'wrong-method', allowed } : { kind: 'none' };
  }
}
