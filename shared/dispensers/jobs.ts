import type { Jobs } from '#shared/jobs/runner.ts';

/**
 * The dispensers capability's jobs. Each job's code is imported when it runs: the job runner
 * Lambda holds every job of the service, and an invocation runs one.
 */
export const dispenserJobs: Jobs = {
  'detect-missed-doses': {
    description:
      'Raise one alert per planned dose with no dose_taken by its deadline (also when the dispenser is silent)',
    every: 'rate(5 minutes)',
    run: async (deps) => (await import('./detection.ts')).detectMissedDoses(deps),
  },
  'detect-silent-devices': {
    description: 'Raise one alert per silence of an assigned dispenser not heard from for DEVICE_SILENT_AFTER_MINUTES',
    every: 'rate(15 minutes)',
    run: async (deps) => (await import('./detection.ts')).detectSilentDevices(deps),
  },
  'trial-end-reminders': {
    description: 'Remind staff to decide on dispensers whose trial ends within a week',
    every: 'rate(1 day)',
    run: async (deps) => (await import('./detection.ts')).trialEndReminders(deps),
  },
};
