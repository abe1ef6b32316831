import type { Jobs } from '#shared/jobs/runner.ts';

/** The tablets capability's jobs; each job's code is imported when it runs (see ../dispensers/jobs.ts). */
export const tabletJobs: Jobs = {
  'tablets-not-seen': {
    description:
      'Raise a technical alert for a paired tablet not seen for TABLET_NOT_SEEN_HOURS (daytime only); resolve it when the tablet is seen again',
    every: 'rate(30 minutes)',
    run: async (deps) => (await import('./not-seen.ts')).checkTabletsNotSeen(deps),
  },
};
