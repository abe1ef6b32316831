/**
 * Hono `/citizens/:citizenId` → API Gateway `/citizens/{citizenId}`. A parameter's regex
 * (`:id{[0-9]+}`) is dropped: zod validates ids in the Lambda. A trailing `*` becomes a greedy
 * `{proxy+}`. Optional parameters have no API Gateway form, so they are refused.
 */
export function toApiGatewayPath(honoPath: string): string {
  const segments = honoPath.split('/').map((segment, index, all) => {
    if (segment === '*') {
      if (index !== all.length - 1) throw new Error(`Wildcard in the middle of ${honoPath} has no API Gateway form`);
      return '{proxy+}';
    }
    if (!segment.startsWith(':')) return segment;
    const match = /^:([A-Za-z_][A-Za-z0-9_]*)(\{.*\})?$/.exec(segment);
    if (!match)
      throw new Error(
        `Path parameter "${segment}" in ${honoPath} has no API Gateway form (optional parameters are not supported)`,
      );
    return `{${match[1]}}`;
  });
  const path = segments.join('/');
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path || '/';
}

/** API Gateway's key for a route (`POST /dispensers/{dispenserId}/events`): the `routeKey` of its events. */
export function routeKey(route: { method: string; path: string }): string {
  return `${route.method} ${route.path}`;
}
