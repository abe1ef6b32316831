/**
 * The notifier function's entry and construct name. Not in infra/bundling.ts's manifest: it is
 * built and granted by infra/notifications.ts alone. No CDK import, so bundle-function.ts can read it.
 */
export const NOTIFIER_FUNCTION = { name: 'Notifier', entry: 'functions/notifier/notifier.ts' } as const;
