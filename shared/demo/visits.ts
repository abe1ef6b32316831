import type { Role } from '#shared/platform/actor.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import { logger } from '#shared/platform/logger.ts';
import { isAvailable } from '#shared/visits/availability-rules.ts';
import { getStaffProfile, setAvailability } from '#shared/visits/availability.ts';
import { ConflictError } from '#shared/platform/errors.ts';
import { changeVisit, listVisits } from '#shared/visits/visits.ts';
import { registerStaff } from '#shared/visits/staff-directory.ts';
import { demoSteps, type DemoData } from './seed.ts';

/**
 * Demo data of the visits capability: three people of the demo team with self-scheduled
 * availability (day shifts, evenings, a weekend), and the demo citizen's planned visits for
 * the coming week handed out by the lead — the rest stay unassigned for GET /visits?unassigned=true.
 */
const weekdays = [1, 2, 3, 4, 5];

demoSteps.push(async (deps, demo: DemoData) => {
  const now = deps.clock.now();
  const as = (role: Role, sub: string): RequestContext => ({
    actor: { kind: 'user', sub, roles: [role], team: demo.team },
    requestId: 'demo-seed',
    now,
  });
  const lead = as('lead', 'lead-lis');

  // The staff directory first: nobody is scheduled before the team has registered them.
  for (const [staffId, name] of [
    ['stf-anna', 'Anna Holm'],
    ['stf-bo', 'Bo Lund'],
    ['lead-lis', 'Lis Berg'],
  ] as const) {
    await registerStaff(deps, lead, demo.team, { staffId, name });
  }

  await setAvailability(deps, as('staff', 'stf-anna'), 'stf-anna', {
    weekly: [
      ...weekdays.map((weekday) => ({ weekday, start: '08:00', end: '16:00' })),
      { weekday: 1, start: '17:00', end: '22:00' },
      { weekday: 3, start: '17:00', end: '22:00' },
      { weekday: 7, start: '09:00', end: '13:00' },
    ],
    exceptions: [],
  });
  await setAvailability(deps, as('staff', 'stf-bo'), 'stf-bo', {
    weekly: [
      ...weekdays.map((weekday) => ({ weekday, start: '12:00', end: '22:00' })),
      { weekday: 6, start: '17:00', end: '22:00' },
    ],
    exceptions: [],
  });
  await setAvailability(deps, lead, 'lead-lis', {
    weekly: weekdays.map((weekday) => ({ weekday, start: '08:00', end: '16:00' })),
    exceptions: [],
  });
  demo.ids.staff = 'stf-anna';
  demo.ids.staffColleague = 'stf-bo';
  demo.ids.lead = 'lead-lis';

  // The care step's final grant planned the visits before anyone had set availability.
  const citizenId = demo.ids.citizen;
  if (!citizenId) return;
  const week = await listVisits(deps, lead, {
    citizenId,
    unassigned: 'true',
    from: now.toISOString(),
    to: new Date(now.getTime() + 7 * 86_400_000).toISOString(),
    limit: 200,
  });
  const staff = (await Promise.all(['stf-anna', 'stf-bo'].map((id) => getStaffProfile(deps.table, id, true)))).filter(
    (p) => p !== undefined,
  );
  let assigned = 0;
  for (const visit of week.items) {
    for (const profile of staff) {
      if (!isAvailable(profile, new Date(visit.start), new Date(visit.end), deps.config.TIME_ZONE)) continue;
      try {
        await changeVisit(deps, lead, visit.visitId, { staffId: profile.staffId });
        assigned += 1;
        break;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
    }
  }
  if (week.items[0]) demo.ids.visit = week.items[0].visitId;
  logger.info('demo visits assigned', { assigned, unassigned: week.items.length - assigned });
});
