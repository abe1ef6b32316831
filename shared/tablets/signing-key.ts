import type { Config } from '../platform/config.ts';

/**
 * The key the API signs tablet tokens with, behind this one function so it can move without
 * touching anything else: today an HMAC key (HS256); on AWS it comes from the run-time secret
 * (`APP_SECRET_ARN`, Secrets Manager, field `tabletTokenKey`), loaded once per Lambda container; moving to KMS (asymmetric `Sign`/`Verify`, the key never leaves KMS) changes only
 * this file and `tokens.ts`. See docs/tablet-credentials.md.
 *
 * LOCAL ONLY fallback: the local and test stages use a fixed development key, like the local
 * JWTs (shared/http/auth.ts); a deployed stage without the secret refuses to sign or verify.
 */
const LOCAL_TABLET_KEY = new TextEncoder().encode('e-team-local-tablet-token-key-never-deployed');

let cached: Promise<Uint8Array> | undefined;

export function tabletSigningKey(config: Pick<Config, 'STAGE'>, env: Record<string, string | undefined> = process.env): Promise<Uint8Array> {
  if (config.STAGE === 'local' || config.STAGE === 'test') return Promise.resolve(LOCAL_TABLET_KEY);
  cached ??= loadDeployedKey(env).catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

async function loadDeployedKey(env: Record<string, string | undefined>): Promise<Uint8Array> {
  // The run-time secret (APP_SECRET_ARN) is loaded at cold start by the platform's secret loader,
  // which exposes its `tabletTokenKey` field here; no second Secrets Manager client of our own.
  const key = env.TABLET_TOKEN_KEY;
  if (!key || key.length < 32) throw new Error('Tablet tokens need the signing key: the run-time secret (APP_SECRET_ARN) must carry tabletTokenKey (32+ characters)');
  return new TextEncoder().encode(key);
}
