import { Settings } from 'luxon';

/**
 * Luxon's default locale, said once instead of asked of the system. Without it the first
 * DateTime or Duration luxon builds asks ICU for the system locale
 * (`new Intl.DateTimeFormat().resolvedOptions()`), about 12 ms of every cold start, for the
 * answer Lambda's Node runtime gives anyway. Text for people always names its locale (da, en).
 * Imported by every entry point first (after bundle-source-maps in functions/; scripts/start-local.ts, test/setup.ts).
 */
Settings.defaultLocale = 'en-US';
