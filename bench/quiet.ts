/**
 * Imported first by bench/run.ts: the app's logger reads its level when its module loads, and a
 * log line per request would be a benchmark of stdout, not of the API.
 */
process.env.LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

export {};
