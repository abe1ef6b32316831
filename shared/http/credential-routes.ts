/**
 * Routes whose callers authenticate with a credential of their own instead of a bearer JWT.
 * Kept apart from routers.ts so a Lambda can import it without importing every route.
 *
 * - `jwt: 'never'`: the Authorization header carries that credential (a dispenser's), so the app
 *   does not read it as a JWT; the route verifies it.
 * - `jwt: 'optional'`: a bearer JWT is verified when sent; without one the route accepts its own
 *   credential (a calendar program subscribing with a feed key cannot send a header).
 *
 * API Gateway routes these without its JWT authorizer (infra/routes.ts); the app still checks.
 */
export interface CredentialRoute {
  readonly method: string;
  readonly path: RegExp;
  /** The API part (Lambda) that serves it. */
  readonly part: 'deviceEvents' | 'visits';
  readonly jwt: 'never' | 'optional';
}

export const credentialRoutes: readonly CredentialRoute[] = [
  { method: 'POST', path: /^\/dispensers\/[^/]+\/events$/, part: 'deviceEvents', jwt: 'never' },
  { method: 'GET', path: /^\/staff\/[^/]+\/calendar\.ics$/, part: 'visits', jwt: 'optional' },
  // A paired tablet's token is signed by the API, not Cognito (docs/tablet-credentials.md): the
  // routes a tablet calls skip the Cognito authorizer, and the app verifies whatever token comes.
  { method: 'POST', path: /^\/tablet-pairings\/redeem$/, part: 'visits', jwt: 'optional' },
  { method: 'GET', path: /^\/me\/visits$/, part: 'visits', jwt: 'optional' },
  { method: 'GET', path: /^\/me\/next-visit$/, part: 'visits', jwt: 'optional' },
  { method: 'POST', path: /^\/visits\/[^/]+\/join$/, part: 'visits', jwt: 'optional' },
  { method: 'POST', path: /^\/visits\/[^/]+\/guests\/[^/]+\/consent$/, part: 'visits', jwt: 'optional' },
];

/** The routes a dispenser calls with its device credential. */
export const deviceRoutes = credentialRoutes.filter((r) => r.jwt === 'never');

export type DeviceRoute = CredentialRoute;
