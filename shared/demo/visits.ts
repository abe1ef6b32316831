import { DateTime } from 'luxon';
import type { Role } from '#shared/platform/actor.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import { logger } from '#shared/platform/logger.ts';
import { isAvailable } from '#shared/visits/availability-rules.ts';
import { getStaffProfile, setAvailability } from '#shared/visits/availability.ts';
import { ConflictError } from '#shared/platform/errors.ts';
import { changeVisit, listVisits } from '#shared/visits/visits.ts';
import { registerStaff } from '#shared/visits/staff-directory.ts';
import type { DemoData, DemoStep } from './seed.ts';

/**
 * Demo data of the visits capability: three people of the demo team with self-scheduled
 * availability (day shifts, evenings, a weekend), and the demo citizen's planned visits for
 * the coming week handed out by the lead — the rest stay unassigned for GET /visits?unassigned=true.
 */
const weekdays = [1, 2, 3, 4, 5];

type SeedDeps = Parameters<typeof setAvailability>[0];
type As = (role: Role, sub: string) => RequestContext;

/** The staff directory first (nobody is scheduled before the team has registered them), then their availability. */
async function seedStaff(deps: SeedDeps, demo: DemoData, as: As): Promise<void> {
  const lead = as('lead', 'lead-lis');
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
}

/** The care step's final grant planned the visits before anyone had set availability: the lead hands out the coming week. */
async function assignPlannedWeek(deps: SeedDeps, demo: DemoData, lead: RequestContext): Promise<void> {
  const citizenId = demo.ids.citizen;
  if (!citizenId) return;
  const week = await listVisits(deps, lead, {
    citizenId,
    unassigned: 'true',
    from: lead.now.toISOString(),
    to: DateTime.fromJSDate(lead.now, { zone: 'utc' }).plus({ days: 7 }).toJSDate().toISOString(),
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
}

/** The visits step of the demo data. */
export const visitsDemo: DemoStep = async (deps, demo: DemoData) => {
  const now = deps.clock.now();
  const as: As = (role, sub) => ({
    actor: { kind: 'user', sub, roles: [role], team: demo.team },
    requestId: 'demo-seed',
    now,
  });
  await seedStaff(deps, demo, as);
  await assignPlannedWeek(deps, demo, as('lead', 'lead-lis'));
};
