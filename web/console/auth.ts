import { beginSignIn, readRedirect, tokenRequest, type OAuthSettings, type PendingSignIn } from './lib/pkce.ts';

/**
 * How staff sign in. Locally (no `/console/auth.json`): a form that takes a token from
 * `npm run token`. Deployed: the stack writes `/console/auth.json` with the Cognito hosted UI's
 * domain and the console's app client, and the console runs the authorization-code flow with
 * PKCE (the user pool keeps MFA on for staff).
 */
const PENDING_KEY = 'e-team.console.pkce';

export async function hostedSettings(): Promise<OAuthSettings | undefined> {
  try {
    const res = await fetch('/console/auth.json', { headers: { accept: 'application/json' } });
    if (!res.ok) return undefined;
    const json = (await res.json()) as Partial<OAuthSettings>;
    if (!json.domain || !json.clientId) return undefined;
    return {
      domain: json.domain,
      clientId: json.clientId,
      redirectUri: json.redirectUri ?? `${location.origin}/console/`,
      scopes: json.scopes ?? ['openid', 'email'],
    };
  } catch {
    return undefined;
  }
}

export async function redirectToHostedUi(settings: OAuthSettings): Promise<void> {
  const { url, pending } = await beginSignIn(settings);
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  location.assign(url);
}

/** On the way back from the hosted UI: trades the code for tokens; the access token is what the API takes. */
export async function completeHostedSignIn(
  settings: OAuthSettings,
): Promise<{ token: string } | { error: string } | undefined> {
  if (!location.search.includes('code=') && !location.search.includes('error=')) return undefined;
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  const pending = raw ? (JSON.parse(raw) as PendingSignIn) : undefined;
  const back = readRedirect(location.search, pending);
  history.replaceState(null, '', location.pathname + location.hash);
  if ('error' in back || !pending) return { error: 'error' in back ? back.error : 'sign-in state lost' };
  const req = tokenRequest(settings, back.code, pending);
  const res = await fetch(req.url, { method: 'POST', headers: req.headers, body: req.body });
  if (!res.ok) return { error: `token exchange failed (${res.status})` };
  const tokens = (await res.json()) as { access_token?: string };
  return tokens.access_token ? { token: tokens.access_token } : { error: 'no access token' };
}
