/**
 * OAuth 2.0 authorization-code flow with PKCE (RFC 7636) against the Cognito hosted UI, for a
 * browser client without a secret. Pure except for the random bytes and SHA-256, both from Web
 * Crypto (the browser's, or Node's in tests). MFA stays the user pool's business: the hosted UI
 * asks for it before it redirects back with a code.
 */
export interface OAuthSettings {
  /** The hosted UI's domain, e.g. `https://e-team-demo.auth.eu-north-1.amazoncognito.com`. */
  readonly domain: string;
  readonly clientId: string;
  /** Where the hosted UI sends the browser back: the console's own URL. */
  readonly redirectUri: string;
  readonly scopes: readonly string[];
}

/** What the console keeps in sessionStorage between the redirect away and the way back. */
export interface PendingSignIn {
  readonly state: string;
  readonly verifier: string;
}

const VERIFIER_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';

/** base64url without padding (RFC 4648 §5), as PKCE and JWTs use. */
export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A code verifier: 64 characters of the unreserved set (43–128 allowed), from 64 random bytes. */
export function codeVerifier(random: (n: number) => Uint8Array = randomBytes): string {
  // 66 characters do not divide 256: only bytes below 198 (3 × 66) are used, so no character is favoured.
  let out = '';
  while (out.length < 64) {
    for (const byte of random(64)) {
      if (byte < 198 && out.length < 64) out += VERIFIER_CHARS[byte % VERIFIER_CHARS.length];
    }
  }
  return out;
}

/** S256 challenge: base64url(SHA-256(verifier)). */
export async function codeChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

export function randomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

/** The hosted UI URL to send the browser to, and what to keep until it comes back. */
export async function beginSignIn(
  settings: OAuthSettings,
  random: (n: number) => Uint8Array = randomBytes,
): Promise<{ url: string; pending: PendingSignIn }> {
  const verifier = codeVerifier(random);
  const state = base64url(random(16));
  const url = new URL('/oauth2/authorize', settings.domain);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: settings.clientId,
    redirect_uri: settings.redirectUri,
    scope: settings.scopes.join(' '),
    state,
    code_challenge: await codeChallenge(verifier),
    code_challenge_method: 'S256',
  }).toString();
  return { url: url.toString(), pending: { state, verifier } };
}

/**
 * Reads the redirect back: the code when the state matches what we sent (else a forged or
 * stale redirect), or the error the hosted UI reported.
 */
export function readRedirect(search: string, pending: PendingSignIn | undefined): { code: string } | { error: string } {
  const params = new URLSearchParams(search);
  const error = params.get('error');
  if (error) return { error: params.get('error_description') ?? error };
  const code = params.get('code');
  if (!code) return { error: 'no authorization code in the redirect' };
  if (!pending || params.get('state') !== pending.state)
    return { error: 'the sign-in state does not match; start again' };
  return { code };
}

/** The token request (POST `<domain>/oauth2/token`, form-encoded) that trades the code for tokens. */
export function tokenRequest(
  settings: OAuthSettings,
  code: string,
  pending: PendingSignIn,
): { url: string; body: string; headers: Record<string, string> } {
  return {
    url: new URL('/oauth2/token', settings.domain).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: settings.clientId,
      code,
      redirect_uri: settings.redirectUri,
      code_verifier: pending.verifier,
    }).toString(),
  };
}

/** Claims the console reads from a token (it does not verify it: the API does). */
export interface TokenClaims {
  readonly sub: string;
  readonly roles: readonly string[];
  readonly team: string | undefined;
  readonly exp: number | undefined;
}

export function readClaims(token: string): TokenClaims | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const json = JSON.parse(
      new TextDecoder().decode(
        Uint8Array.from(atob(payload.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)),
      ),
    ) as Record<string, unknown>;
    const groups = Array.isArray(json['cognito:groups'])
      ? (json['cognito:groups'] as unknown[]).filter((g): g is string => typeof g === 'string')
      : [];
    const teamGroup = groups.find((g) => g.startsWith('team-'));
    // The API names a caller by the access token's user name (the staff id), as it does here.
    const sub = [json.username, json['cognito:username'], json.sub].find(
      (v): v is string => typeof v === 'string' && v.length > 0,
    );
    if (!sub) return undefined;
    return {
      sub,
      roles: groups.filter((g) => !g.startsWith('team-')),
      team: teamGroup?.slice(5),
      exp: typeof json.exp === 'number' ? json.exp : undefined,
    };
  } catch {
    return undefined;
  }
}
