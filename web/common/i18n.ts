/**
 * Danish by default, English selectable; the choice is kept on the device. Each page passes its
 * own dictionary (the Danish one is the reference; English must have the same keys).
 */
export type Lang = 'da' | 'en';
export const LANGS: readonly Lang[] = ['da', 'en'];
const STORAGE_KEY = 'e-team.lang';

export function currentLang(): Lang {
  const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
  return stored === 'en' || stored === 'da' ? stored : 'da';
}

export function setLang(lang: Lang): void {
  localStorage.setItem(STORAGE_KEY, lang);
  document.documentElement.lang = lang;
}

export type Dictionary<K extends string> = Record<K, string>;

/** `t('key', { name: 'Anna' })` replaces `{name}` in the text. */
export function translator<K extends string>(
  dictionaries: Record<Lang, Dictionary<K>>,
  lang: () => Lang = currentLang,
) {
  return (key: K, values: Record<string, string | number> = {}): string =>
    dictionaries[lang()][key].replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? `{${name}}`));
}

const LOCALES: Record<Lang, string> = { da: 'da-DK', en: 'en-GB' };

/** Times are shown in the municipality's time zone, whatever the device is set to. */
export function formatDateTime(
  iso: string,
  lang: Lang,
  timeZone = 'Europe/Copenhagen',
  options: Intl.DateTimeFormatOptions = {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    hour: '2-digit',
    minute: '2-digit',
  },
): string {
  return new Intl.DateTimeFormat(LOCALES[lang], { ...options, timeZone }).format(new Date(iso));
}

export function formatTime(iso: string, lang: Lang, timeZone = 'Europe/Copenhagen'): string {
  return formatDateTime(iso, lang, timeZone, { hour: '2-digit', minute: '2-digit' });
}
