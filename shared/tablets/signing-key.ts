import type { Secrets } from '#shared/platform/secrets.ts';

/**
 * The key the API signs tablet tokens with, behind this one function so it can move without
 * touching anything else: today an HMAC key (HS256), the `tabletTokenKey` of the stage's app
 * secret (`deps.secrets`: on AWS the Secrets Manager secret APP_SECRET_ARN names, cached per
 * container; locally and in the tests `LocalSecrets`' development key). Moving to KMS (asymmetric
 * `Sign`/`Verify`, the key never leaves KMS) changes only this file and `tokens.ts`. See
 * docs/tablet-credentials.md.
 */
export async function tabletSigningKey(secrets: Secrets): Promise<Uint8Array> {
  const { tabletTokenKey } = await secrets.get();
  return new TextEncoder().encode(tabletTokenKey);
}
