import * as z from '#shared/platform/zod.ts';
import { DateTime } from 'luxon';
import { auditLogOf } from '#shared/audit/audit.ts';
import { requireVisibleCitizen } from '#shared/citizens/citizens.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { NotFoundError, ValidationError, type FieldError } from '#shared/platform/errors.ts';
import { newId } from '#shared/platform/ids.ts';
import type { Page } from '#shared/table/store.ts';
import { CitizenMissing, grantsAndProfile, grantsPage, insertGrant } from './grant-store.ts';
import { frequencySchema, paragraphs, services, type Grant, type Paragraph, type Service } from './model.ts';
import { isoDate } from './plan.ts';

export {
  frequencySchema,
  grantSchema,
  paragraphs,
  services,
  type Frequency,
  type Grant,
  type Paragraph,
  type Service,
} from './model.ts';
export { GRANTS_VERSION, grantsVersionOf } from './grant-store.ts';

/**
 * Granted benefits (bevillinger): what the authority's assessor has granted a citizen, under
 * which paragraph, how often and for how long. Grants are recorded once and never edited, except
 * that an assessor may end one (`end-grant.ts`); every recording and ending bumps the profile's
 * `grantsVersion`, so an approval can prove the grants are still those its proposal covered.
 */

/**
 * Which services each paragraph can carry, where the law makes it plain: home help (practical
 * help, personal care and the safety check-ins that are part of it) is § 83; rehabilitation is
 * § 83a; socio-educational support is § 85; a good start (§ 82) is initial support and
 * conversations; medication handling and nursing are health care under SUL § 138, never
 * Serviceloven. Support conversations are found under both § 82 and § 85.
 */
export const servicesByParagraph: Record<Paragraph, readonly Service[]> = {
  'SEL-82': ['initial_support', 'support_conversation'],
  'SEL-83': ['practical_help', 'personal_care', 'safety_check'],
  'SEL-83a': ['rehabilitation_training'],
  'SEL-85': ['support_conversation', 'everyday_support'],
  'SUL-138': ['medication_handling', 'home_nursing'],
};

export const recordGrantSchema = z
  .strictObject({
    paragraph: z.enum(paragraphs),
    service: z.enum(services),
    frequency: frequencySchema,
    minutesPerOccurrence: z.number().int().min(1).max(480),
    startDate: isoDate,
    endDate: isoDate.optional(),
  })
  .openapi('RecordGrant');
export type RecordGrant = z.infer<typeof recordGrantSchema>;

/** What zod cannot say about a grant: paragraph/service fit, unique days and times, dates in order. */
export function checkGrant(input: RecordGrant, base = 'body'): FieldError[] {
  const faults: FieldError[] = [];
  if (!servicesByParagraph[input.paragraph].includes(input.service)) {
    faults.push({
      field: `${base}/service`,
      message: `${input.service} is not granted under ${input.paragraph}; ${input.paragraph} covers ${servicesByParagraph[input.paragraph].join(', ')}`,
    });
  }
  const { weekdays, timesOfDay, per, times } = input.frequency;
  if (weekdays && new Set(weekdays).size !== weekdays.length)
    faults.push({ field: `${base}/frequency/weekdays`, message: 'weekdays must be unique' });
  if (timesOfDay) {
    if (new Set(timesOfDay).size !== timesOfDay.length)
      faults.push({ field: `${base}/frequency/timesOfDay`, message: 'times of day must be unique' });
    if (per === 'day' && timesOfDay.length !== times)
      faults.push({ field: `${base}/frequency/timesOfDay`, message: `give one time per occurrence (${times})` });
    if (per === 'week' && timesOfDay.length > times)
      faults.push({
        field: `${base}/frequency/timesOfDay`,
        message: `at most ${times} times for ${times} occurrences a week`,
      });
  }
  if (input.endDate && input.endDate < input.startDate)
    faults.push({ field: `${base}/endDate`, message: 'must not be before startDate' });
  return faults;
}

/** A grant counts until its end date (inclusive); one that starts later is already part of the picture. */
export function isActiveGrant(grant: Pick<Grant, 'endDate'>, today: string): boolean {
  return !grant.endDate || grant.endDate >= today;
}

/** Today's date in the municipality's time zone. */
export function localDate(now: Date, timeZone: string): string {
  return DateTime.fromJSDate(now, { zone: timeZone }).toISODate() ?? now.toISOString().slice(0, 10);
}

/** POST /citizens/{id}/grants */
export async function recordGrant(
  deps: Deps,
  ctx: RequestContext,
  citizenId: string,
  input: RecordGrant,
): Promise<Grant> {
  const faults = checkGrant(input);
  if (faults.length > 0) throw new ValidationError('The grant is not consistent; see errors.', faults);
  await requireVisibleCitizen(deps, ctx.actor, citizenId);
  const grantId = newId('grt', ctx.now);
  const grant: Grant = { grantId, citizenId, ...input, recordedAt: ctx.now.toISOString(), recordedBy: ctx.actor.sub };
  const audit = auditLogOf(deps).item(ctx, {
    action: 'grant.create',
    resource: `citizens/${citizenId}/grants/${grantId}`,
    citizenId,
  });
  try {
    await insertGrant(deps.table, grant, audit);
    return grant;
  } catch (error) {
    if (error instanceof CitizenMissing) throw new NotFoundError('The citizen');
    throw error;
  }
}

/** GET /citizens/{id}/grants: oldest first. */
export async function listGrants(
  deps: Deps,
  ctx: RequestContext,
  citizenId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<Grant>> {
  await requireVisibleCitizen(deps, ctx.actor, citizenId);
  const result = await grantsPage(deps.table, citizenId, page);
  await auditLogOf(deps).recordRead(ctx, {
    action: 'grant.read',
    resource: `citizens/${citizenId}/grants`,
    citizenId,
  });
  return result;
}

/**
 * The citizen's profile item and every grant in one consistent Query. For the conversion rules,
 * which check visibility on the profile and audit their own reads.
 */
export async function grantsAndProfileOf(
  deps: Deps,
  citizenId: string,
): Promise<{ profile: Record<string, unknown> | undefined; grants: Grant[] }> {
  return grantsAndProfile(deps.table, citizenId);
}
