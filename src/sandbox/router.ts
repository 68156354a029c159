/**
 * The route table: method + path pattern (`/campaigns/:id/actions`) → handler. A handler returns the
 * JSON body of a 200 or throws an ApiError. The pattern also names the endpoint in the stats
 * (`GET /v1/campaigns/{id}/actions`), whichever region prefix the request used.
 */
import type { ApiRequest } from './http.js';
import type { World } from './world.js';

export type Handler = (req: ApiRequest, world: World) => unknown;

interface Route {
  method: string;
  endpoint: string;
  regex: RegExp;
  keys: string[];
  handler: Handler;
  auth: boolean;
}

export interface RouteMatch {
  endpoint: string;
  handler: Handler;
  params: Record<string, string>;
  auth: boolean;
}

export class Router {
  private readonly routes: Route[] = [];

  /** Register a handler; `auth: false` for the few endpoints that need no key. */
  add(method: string, pattern: string, handler: Handler, opts: { auth?: boolean } = {}): this {
    const keys: string[] = [];
    const source = pattern.replace(/:([a-z_]+)/g, (_, key: string) => {
      keys.push(key);
      return '([^/]+)';
    });
    this.routes.push({
      method,
      endpoint: `${method} /v1${pattern.replace(/:([a-z_]+)/g, '{$1}')}`,
      regex: new RegExp(`^${source}/?$`),
      keys,
      handler,
      auth: opts.auth ?? true,
    });
    return this;
  }

  match(method: string, rest: string): RouteMatch | null {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.regex.exec(rest);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((key, i) => {
        params[key] = safeDecode(m[i + 1]);
      });
      return { endpoint: route.endpoint, handler: route.handler, params, auth: route.auth };
    }
    return null;
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
