/**
 * Routes that authenticate with a dispenser's own credential instead of a bearer JWT. Only this
 * method on this path skips the JWT check; the route itself verifies the credential. Kept apart
 * from routers.ts so a Lambda can import it without importing every route.
 */
export interface DeviceRoute {
  readonly method: string;
  readonly path: RegExp;
}

export const deviceRoutes: readonly DeviceRoute[] = [{ method: 'POST', path: /^\/dispensers\/[^/]+\/events$/ }];
