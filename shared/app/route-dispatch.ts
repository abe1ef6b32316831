import type { GroupRoute } from './route-table.ts';

/** Hono's path syntax as a regular expression: `:name` one segment, `:name{re}` that pattern, `*` anything. */
export function honoPathPattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      const param = /^:[A-Za-z_][A-Za-z0-9_]*(?:\{(.+)\})?$/.exec(segment);
      if (param) return param[1] ? `(?:${param[1]})` : '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}$`);
}

/**
 * The group whose route a request reaches, from the routes alone (nothing loaded): the first route,
 * in mount order, whose method and path match, as one app mounting every group picks it. HEAD is
 * served by GET routes, as in Hono. `undefined`: no route matches (the app answers 404).
 */
export function groupDispatcher(routes: readonly GroupRoute[]): (method: string, path: string) => string | undefined {
  const compiled = routes.map((r) => ({ method: r.method, pattern: honoPathPattern(r.path), group: r.group }));
  return (method, path) => {
    const wanted = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
    return compiled.find((r) => r.method === wanted && r.pattern.test(path))?.group;
  };
}

/** A path that a Hono route path matches, each parameter filled in (for checks and the cold-start bench). */
export function examplePath(path: string): string {
  return path.replace(/:([A-Za-z_][A-Za-z0-9_]*)(?:\{(.+?)\})?(?=\/|$)/g, (_, name: string, pattern?: string) => {
    if (!pattern) return `example-${name}`;
    const sample = ['1', 'example', 'a1', 'A'].find((s) => new RegExp(`^(?:${pattern})$`).test(s));
    if (!sample) throw new Error(`no example value for :${name}{${pattern}}`);
    return sample;
  });
}
