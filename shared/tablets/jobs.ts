import type { Jobs } from '#shared/jobs/runner.ts';
import { checkTabletsNotSeen } from './not-seen.ts';

export const tabletJobs: Jobs = {
  'tablets-not-seen': {
    description:
      'Raise a technical alert for a paired tablet not seen for TABLET_NOT_SEEN_HOURS (daytime only); resolve it when the tablet is seen again',
    every: 'rate(30 minutes)',
    run: (deps) => checkTabletsNotSeen(deps),
  },
};
