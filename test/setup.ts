import '#shared/platform/luxon-defaults.ts';
// Quiet structured logs in tests; a failing test prints its own diagnostics.
process.env.LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
