import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Structured JSON logs. Never pass personal data (names, national ids, join tokens, notes):
 * log ids, routes, statuses and latencies only.
 */
export const logger = new Logger({
  serviceName: 'e-team',
  logLevel: (process.env.LOG_LEVEL ?? (process.env.VITEST ? 'SILENT' : 'INFO')) as 'INFO',
});
