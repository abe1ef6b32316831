import type { Jobs } from '#shared/jobs/runner.ts';
import { detectMissedDoses, detectSilentDevices, trialEndReminders } from './detection.ts';

export const dispenserJobs: Jobs = {
  'detect-missed-doses': {
    description:
      'Raise one alert per planned dose with no dose_taken by its deadline (also when the dispenser is silent)',
    every: 'rate(5 minutes)',
    run: (deps) => detectMissedDoses(deps),
  },
  'detect-silent-devices': {
    description: 'Raise one alert per silence of an assigned dispenser not heard from for DEVICE_SILENT_AFTER_MINUTES',
    every: 'rate(15 minutes)',
    run: (deps) => detectSilentDevices(deps),
  },
  'trial-end-reminders': {
    description: 'Remind staff to decide on dispensers whose trial ends within a week',
    every: 'rate(1 day)',
    run: (deps) => trialEndReminders(deps),
  },
};
