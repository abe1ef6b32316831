import { registerJobs } from '#shared/jobs/registry.ts';
import { checkTabletsNotSeen } from './not-seen.ts';

registerJobs({
  'tablets-not-seen': {
    description:
      'Raise a technical alert for a paired tablet not seen for TABLET_NOT_SEEN_HOURS (daytime only); resolve it when the tablet is seen again',
    every: 'rate(30 minutes)',
    run: (deps) => checkTabletsNotSeen(deps),
  },
});
