import * as z from '#shared/platform/zod.ts';
import { auditLogOf } from '#shared/audit/audit.ts';
import { requireVisibleCitizen } from '#shared/citizens/citizens.ts';
import type { Config } from '#shared/platform/config.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { NotFoundError, ValidationError } from '#shared/platform/errors.ts';
import { isoDateInput } from '#shared/platform/time-input.ts';
import { visitKeys } from '#shared/table/keys.ts';
import { queryAll } from '#shared/table/store.ts';
import type { Interval } from './availability-rules.ts';
import { getStaffProfile, listTeamStaff, type StaffProfile } from './availability.ts';
import { freeIntervals, freeSlots } from './free-slots.ts';
import { fromItem, type VisitRecord } from './model.ts';
import { localPeriod, MAX_VISIT_MINUTES, minutesMs, SLOT_MINUTES, toZonedIso } from './time.ts';
import { citizenIdSchema } from './visits.ts';

export const freeSlotsQuery = z.strictObject({
  date: isoDateInput.optional().openapi({ description: 'A local day (municipality time zone)', example: '2026-10-19' }),
  week: z
    .string()
    .max(8, 'must be an ISO week like 2026-W44')
    .regex(/^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/, 'must be an ISO week like 2026-W44')
    .optional()
    .openapi({ description: 'An ISO week instead of a date' }),
  citizenId: citizenIdSchema.optional().openapi({ description: 'Also keep clear of this citizen’s booked visits' }),
  durationMinutes: z.coerce
    .number()
    .int()
    .min(SLOT_MINUTES)
    .max(MAX_VISIT_MINUTES)
    .multipleOf(SLOT_MINUTES)
    .default(20),
  stepMinutes: z.coerce
    .number()
    .int()
    .min(SLOT_MINUTES)
    .max(60)
    .multipleOf(SLOT_MINUTES)
    .default(15)
    .openapi({ description: 'Slot starts are multiples of this' }),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});
export type FreeSlotsQuery = z.infer<typeof freeSlotsQuery>;

export const teamFreeSlotsQuery = freeSlotsQuery.extend({
  citizenId: citizenIdSchema.openapi({ description: 'The citizen to book for' }),
});

const slotSchema = z.object({ staffId: z.string(), start: z.string(), end: z.string() }).openapi('FreeSlot');
export const freeSlotsSchema = z
  .object({
    timeZone: z.string(),
    from: z.string(),
    to: z.string(),
    durationMinutes: z.number().int(),
    bufferMinutes: z
      .number()
      .int()
      .openapi({ description: 'Kept clear before and after booked visits (advice; booking does not enforce it)' }),
    slots: z
      .array(slotSchema)
      .openapi({ description: 'Bookable starts, by start then staff id; advice only — the booking decides' }),
    free: z.array(slotSchema).openapi({ description: 'The free intervals the slots are cut from' }),
    truncated: z.boolean().openapi({ description: 'More slots than `limit`' }),
  })
  .openapi('FreeSlots');
export type FreeSlots = z.infer<typeof freeSlotsSchema>;

/** The buffer for a team: its entry in VISIT_BUFFER_MINUTES_BY_TEAM, else the default. */
export function bufferMinutesFor(
  config: Pick<Config, 'VISIT_BUFFER_MINUTES' | 'VISIT_BUFFER_MINUTES_BY_TEAM'>,
  team: string,
): number {
  for (const pair of (config.VISIT_BUFFER_MINUTES_BY_TEAM ?? '').split(',')) {
    const [name, minutes] = pair.split('=');
    if (name === team && minutes !== undefined) return Math.min(120, Number(minutes));
  }
  return config.VISIT_BUFFER_MINUTES;
}

/** Visits that still take someone's time (scheduled or running). */
const blocks = (v: VisitRecord) => v.status === 'scheduled' || v.status === 'in_progress';
const intervalOf = (v: VisitRecord): Interval => [Date.parse(v.start), Date.parse(v.end)];

function periodOf(deps: Deps, q: Pick<FreeSlotsQuery, 'date' | 'week'>): { from: Date; to: Date } {
  if ((q.date === undefined) === (q.week === undefined)) {
    throw new ValidationError('Give a date or a week — one of them.', [
      { field: 'query/date', message: 'give exactly one of date, week' },
    ]);
  }
  const period = localPeriod(q, deps.config.TIME_ZONE);
  if (!period || Number.isNaN(period.from.getTime()))
    throw new ValidationError('The period is not a real date.', [
      { field: q.date ? 'query/date' : 'query/week', message: 'not a real date' },
    ]);
  return period;
}

/** Visits starting in [from − longest visit − buffer, to + buffer) can touch the period. */
function lookAround(from: Date, to: Date, bufferMinutes: number): readonly [string, string] {
  const margin = minutesMs(MAX_VISIT_MINUTES + bufferMinutes);
  return [
    new Date(from.getTime() - margin).toISOString(),
    new Date(to.getTime() + minutesMs(bufferMinutes)).toISOString(),
  ];
}

async function visitsOn(
  deps: Deps,
  index: 'gsi1' | 'gsi2' | 'gsi3',
  partition: string,
  range: readonly [string, string],
): Promise<VisitRecord[]> {
  const items = await queryAll(
    deps.table,
    { index, partition: [`${index}pk`, partition], sort: { attribute: `${index}sk`, between: range } },
    2_000,
  );
  return items.map(fromItem).filter(blocks);
}

function answer(
  deps: Deps,
  ctx: RequestContext,
  q: FreeSlotsQuery,
  period: { from: Date; to: Date },
  bufferMinutes: number,
  staff: readonly { profile: StaffProfile; busy: Interval[] }[],
): FreeSlots {
  const zone = deps.config.TIME_ZONE;
  // The next grid step after now: a slot already begun is not advice anyone can take.
  const step = minutesMs(q.stepMinutes);
  const notBefore = new Date(Math.ceil((ctx.now.getTime() + 1) / step) * step);
  const slots: FreeSlots['slots'] = [];
  const free: FreeSlots['free'] = [];
  for (const { profile, busy } of staff) {
    const input = { rules: profile, busy, from: period.from, to: period.to, notBefore, bufferMinutes, zone };
    for (const [f, t] of freeSlots({ ...input, durationMinutes: q.durationMinutes, stepMinutes: q.stepMinutes })) {
      slots.push({
        staffId: profile.staffId,
        start: toZonedIso(new Date(f), zone),
        end: toZonedIso(new Date(t), zone),
      });
    }
    for (const [f, t] of freeIntervals(input))
      free.push({ staffId: profile.staffId, start: toZonedIso(new Date(f), zone), end: toZonedIso(new Date(t), zone) });
  }
  const byStart = (a: { start: string; staffId: string }, b: { start: string; staffId: string }) =>
    Date.parse(a.start) - Date.parse(b.start) || a.staffId.localeCompare(b.staffId);
  slots.sort(byStart);
  free.sort(byStart);
  return {
    timeZone: zone,
    from: toZonedIso(period.from, zone),
    to: toZonedIso(period.to, zone),
    durationMinutes: q.durationMinutes,
    bufferMinutes,
    slots: slots.slice(0, q.limit),
    free,
    truncated: slots.length > q.limit,
  };
}

async function auditCitizenTime(
  deps: Deps,
  ctx: RequestContext,
  citizenId: string,
  range: readonly [string, string],
): Promise<void> {
  // The answer shows when the citizen is already booked, so it is a read of their visits.
  await auditLogOf(deps).recordRead(ctx, {
    action: 'visit.read',
    resource: `citizens/${citizenId}/visits?from=${range[0]}&to=${range[1]}`,
    citizenId,
  });
}

/**
 * GET /staff/{staffId}/free-slots: one staff member's free slots, optionally kept clear of a
 * citizen's visits too. Any staff member or lead of the same team may ask (booking for someone
 * else stays the lead's); another team's staff member is 404, as an unknown one.
 */
export async function staffFreeSlots(
  deps: Deps,
  ctx: RequestContext,
  staffId: string,
  q: FreeSlotsQuery,
): Promise<FreeSlots> {
  // Who first: another team's staff member is the 404 of an unknown one, whatever the query.
  const profile = await getStaffProfile(deps.table, staffId);
  if (!profile || profile.team !== ctx.actor.team) throw new NotFoundError('The staff member');
  const period = periodOf(deps, q);
  const bufferMinutes = bufferMinutesFor(deps.config, profile.team);
  const range = lookAround(period.from, period.to, bufferMinutes);
  const own = await visitsOn(deps, 'gsi1', visitKeys.staffPartition(staffId), range);
  let citizens: VisitRecord[] = [];
  if (q.citizenId) {
    await requireVisibleCitizen(deps, ctx.actor, q.citizenId);
    citizens = await visitsOn(deps, 'gsi2', visitKeys.citizenPartition(q.citizenId), range);
    await auditCitizenTime(deps, ctx, q.citizenId, range);
  }
  const busy = [...own, ...citizens.filter((v) => v.staffId !== staffId)].map(intervalOf);
  return answer(deps, ctx, q, period, bufferMinutes, [{ profile, busy }]);
}

/**
 * GET /teams/{team}/free-slots?citizenId=: every staff member of the team who is free while the
 * citizen is free. Two queries whatever the team's size: its staff, and all its visits (the
 * citizen's visits are among them, as a citizen belongs to one team).
 */
export async function teamFreeSlots(
  deps: Deps,
  ctx: RequestContext,
  team: string,
  q: FreeSlotsQuery & { citizenId: string },
): Promise<FreeSlots> {
  if (team !== ctx.actor.team) throw new NotFoundError('The team');
  const period = periodOf(deps, q);
  await requireVisibleCitizen(deps, ctx.actor, q.citizenId);
  const bufferMinutes = bufferMinutesFor(deps.config, team);
  const range = lookAround(period.from, period.to, bufferMinutes);
  const [staff, visits] = await Promise.all([
    listTeamStaff(deps.table, team),
    visitsOn(deps, 'gsi3', visitKeys.teamPartition(team), range),
  ]);
  await auditCitizenTime(deps, ctx, q.citizenId, range);
  const perStaff = staff
    .filter((p) => p.team === team)
    .sort((a, b) => a.staffId.localeCompare(b.staffId))
    .map((profile) => ({
      profile,
      busy: visits.filter((v) => v.staffId === profile.staffId || v.citizenId === q.citizenId).map(intervalOf),
    }));
  return answer(deps, ctx, q, period, bufferMinutes, perStaff);
}
