import { ApiError, apiClient, type ApiClient } from '../common/api.ts';
import { currentLang, translator, type Lang } from '../common/i18n.ts';
import { dictionaries, type Key } from './lib/i18n.ts';
import { readClaims, type TokenClaims } from './lib/pkce.ts';

/** The municipality's zone: every time the console shows or sends is wall-clock there. */
export const ZONE = 'Europe/Copenhagen';
export const JOIN_EARLY_MINUTES = 10;
const TOKEN_KEY = 'e-team.console.token';

export const t = translator<Key>(dictionaries);
export const lang = (): Lang => currentLang();

export function storedToken(): string | undefined {
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}
export function storeToken(token: string | undefined): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** The signed-in staff member as their token says (the API checks it on every call). */
export function me(): TokenClaims | undefined {
  const token = storedToken();
  const claims = token ? readClaims(token) : undefined;
  if (!claims || (claims.exp !== undefined && claims.exp * 1000 < Date.now())) return undefined;
  return claims;
}
export const isLead = () => me()?.roles.includes('lead') ?? false;
/** IT support without a care role: sees the team's technical alerts only, never citizens. */
export const isSupportOnly = () => {
  const roles = me()?.roles ?? [];
  return roles.includes('support') && !roles.some((r) => r === 'staff' || r === 'lead');
};
/** Who may use the console: care staff, the lead, and IT support (for its alerts). */
export const consoleRoles: readonly string[] = ['staff', 'lead', 'support'];

export const api: ApiClient = apiClient(() => storedToken());

/** GET that answers undefined for 404 (e.g. a citizen without a final grant). */
export async function getOrUndefined<T>(path: string): Promise<T | undefined> {
  try {
    return await api.request<T>('GET', path);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

export interface Citizen {
  citizenId: string;
  name: { given: string; family: string };
}

let citizens: Promise<Map<string, Citizen>> | undefined;
/** The team's citizens by id, for names beside visits and alerts (fetched once per sign-in). */
export function teamCitizens(): Promise<Map<string, Citizen>> {
  // Support may not list citizens: no names, and no request that can only be refused.
  if (isSupportOnly()) return Promise.resolve(new Map());
  citizens ??= api
    .request<{ items: Citizen[] }>('GET', '/citizens?limit=200')
    .then((page) => new Map(page.items.map((c) => [c.citizenId, c])))
    .catch((error: unknown) => {
      citizens = undefined;
      throw error;
    });
  return citizens;
}
export function forgetCitizens(): void {
  citizens = undefined;
}
export const nameOf = (c: Citizen | undefined, id: string) => (c ? `${c.name.given} ${c.name.family}` : id);

export function problemText(error: unknown): string {
  if (error instanceof ApiError) return `${t('error')}: ${error.message}`;
  return `${t('error')}: ${error instanceof Error ? error.message : String(error)}`;
}

const early = new Map<string, Promise<unknown>>();
/** Starts a GET before the view that needs it has loaded (its code and its data then travel together). */
export function prefetch(path: string): void {
  if (!early.has(path))
    early.set(
      path,
      api.request('GET', path).catch((error: unknown) => error),
    );
}
/** A prefetched GET once (or a fresh one): later loads of the same view ask again. */
export async function getOnce<T>(path: string): Promise<T> {
  const started = early.get(path);
  early.delete(path);
  const result = started ? await started : await api.request<T>('GET', path);
  if (result instanceof Error) throw result;
  return result as T;
}
/** The day view's visit list path (shared by the view and the prefetch in the shell). */
export const dayPath = (staffId: string, date: string) =>
  `/visits?staffId=${encodeURIComponent(staffId)}&date=${date}&limit=200`;
