import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Config } from '#shared/platform/config.ts';
import { roleSchema, type Actor, type Role } from '#shared/platform/actor.ts';
import { UnauthenticatedError } from '#shared/platform/errors.ts';

/**
 * The app verifies every bearer token itself (signature, issuer, audience or client id,
 * expiry), also behind API Gateway's JWT authorizer: defence in depth, and the same code path
 * locally. Roles are the `cognito:groups` that name a role; the team is the group `team-<id>`.
 */
export interface TokenVerifier {
  verify(token: string): Promise<Actor>;
}

/**
 * LOCAL ONLY. Development tokens are HS256 with this secret; `loadConfig` refuses AUTH_MODE=local
 * outside the local and test stages, so no deployed API accepts them.
 */
const LOCAL_SECRET = new TextEncoder().encode('e-team-local-development-secret-never-deployed');

export function actorFromClaims(payload: JWTPayload): Actor {
  const groups = payload['cognito:groups'];
  if (typeof payload.sub !== 'string' || payload.sub.length === 0 || !Array.isArray(groups)) {
    throw new UnauthenticatedError('The token lacks a subject or groups.');
  }
  const roles = groups.flatMap((g): Role[] => {
    const parsed = roleSchema.safeParse(g);
    return parsed.success ? [parsed.data] : [];
  });
  const teamGroup = groups.find((g): g is string => typeof g === 'string' && g.startsWith('team-'));
  // Cognito's `sub` is a UUID; the user name is the id the domain knows (staff id, citizen id).
  const id = typeof payload.username === 'string' && payload.username.length > 0 ? payload.username : payload.sub;
  return { kind: 'user', sub: id, roles, team: teamGroup ? teamGroup.slice('team-'.length) : 'default' };
}

export function localVerifier(config: Pick<Config, 'JWT_ISSUER' | 'JWT_AUDIENCE'>): TokenVerifier {
  return {
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, LOCAL_SECRET, {
          issuer: config.JWT_ISSUER,
          audience: config.JWT_AUDIENCE,
          algorithms: ['HS256'],
        });
        return actorFromClaims(payload);
      } catch (error) {
        if (error instanceof UnauthenticatedError) throw error;
        throw new UnauthenticatedError('The bearer token is invalid or expired.');
      }
    },
  };
}

/** Cognito access tokens: issuer is the user pool, the app client is in `client_id`. */
export function cognitoVerifier(
  config: Pick<Config, 'AWS_REGION' | 'COGNITO_USER_POOL_ID' | 'COGNITO_CLIENT_ID'>,
  jwks?: JWTVerifyGetKey,
): TokenVerifier {
  const issuer = `https://cognito-idp.${config.AWS_REGION}.amazonaws.com/${config.COGNITO_USER_POOL_ID}`;
  // Made with the first token, not with the app: jose's key set builds a fetch `Headers`, which loads
  // Node's whole fetch stack (undici, ~0.9× `node -e ''`) into an import that has no use for it yet.
  let keys = jwks;
  return {
    async verify(token) {
      keys ??= createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`));
      try {
        const { payload } = await jwtVerify(token, keys, { issuer, algorithms: ['RS256'] });
        if (payload.token_use !== 'access' || payload.client_id !== config.COGNITO_CLIENT_ID) {
          throw new UnauthenticatedError('The token is not an access token for this API.');
        }
        return actorFromClaims(payload);
      } catch (error) {
        if (error instanceof UnauthenticatedError) throw error;
        throw new UnauthenticatedError('The bearer token is invalid or expired.');
      }
    },
  };
}

export function verifierFor(config: Config): TokenVerifier {
  return config.AUTH_MODE === 'cognito' ? cognitoVerifier(config) : localVerifier(config);
}

/** LOCAL ONLY: a token `localVerifier` accepts (used by `npm run token` and the tests). */
export async function signLocalToken(
  config: Pick<Config, 'JWT_ISSUER' | 'JWT_AUDIENCE'>,
  claims: { sub: string; roles: readonly Role[]; team?: string; expiresInSeconds?: number },
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ 'cognito:groups': [...claims.roles, `team-${claims.team ?? 'east'}`] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(config.JWT_ISSUER)
    .setAudience(config.JWT_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + (claims.expiresInSeconds ?? 8 * 3600))
    .sign(LOCAL_SECRET);
}
