import { z } from '@hono/zod-openapi';
import { DateTime } from 'luxon';
import { auditLog } from '#shared/audit/audit.ts';
import { requireVisibleCitizen } from '#shared/citizens/citizens.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { NotFoundError, ValidationError, type FieldError } from '#shared/platform/errors.ts';
import { newId } from '#shared/platform/ids.ts';
import { TRANSACTION_CONFLICT_BACKOFF, waitBeforeRetry, withRetry } from '#shared/platform/retry.ts';
import { citizenKeys, conversionKeys } from '#shared/table/keys.ts';
import {
  putNew,
  queryAll,
  queryPage,
  transactWrite,
  TransactionConflict,
  type Page,
  type TransactItem,
} from '#shared/table/store.ts';
import { isoDate, isoWeekday, wallClockTime } from './plan.ts';

/**
 * Granted benefits (bevillinger): what the authority's assessor has granted a citizen, under
 * which paragraph, how often and for how long. Grants are recorded once and never edited, except
 * that an assessor may end one (`end-grant.ts`); every recording and ending bumps the profile's
 * `grantsVersion`, so an approval can prove the grants are still those its proposal covered.
 */
export const paragraphs = ['SEL-82', 'SEL-83', 'SEL-83a', 'SEL-85', 'SUL-138'] as const;
export type Paragraph = (typeof paragraphs)[number];

export const services = [
  'initial_support',
  'practical_help',
  'personal_care',
  'safety_check',
  'rehabilitation_training',
  'support_conversation',
  'everyday_support',
  'medication_handling',
  'home_nursing',
] as const;
export type Service = (typeof services)[number];

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

export const frequencySchema = z
  .strictObject({
    per: z.enum(['day', 'week']),
    /** Occurrences per day or per week. */
    times: z.number().int().min(1).max(24),
    /** ISO weekdays (1 = Monday) on which it happens; every day when left out. */
    weekdays: z.array(isoWeekday).min(1).max(7).optional(),
    /** Wall-clock times (municipality's time zone) when known. For `per: day`, one per occurrence. */
    timesOfDay: z.array(wallClockTime).min(1).max(24).optional(),
  })
  .openapi('Frequency', { example: { per: 'day', times: 2, timesOfDay: ['08:00', '20:00'] } });
export type Frequency = z.infer<typeof frequencySchema>;

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

export const grantSchema = z
  .object({
    grantId: z.string(),
    citizenId: z.string(),
    paragraph: z.enum(paragraphs),
    service: z.enum(services),
    frequency: frequencySchema,
    minutesPerOccurrence: z.number().int(),
    startDate: z.string(),
    endDate: z.string().optional(),
    recordedAt: z.string(),
    recordedBy: z.string(),
    /** Set when an assessor ended the grant (PATCH); `endDate` is then the end they gave. */
    endedAt: z.string().optional(),
    endedBy: z.string().optional(),
    endReason: z.string().optional(),
  })
  .openapi('Grant');
export type Grant = z.infer<typeof grantSchema>;

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

export type GrantItem = Grant & { pk: string; sk: string; entity: 'Grant' };
export const toGrant = (item: GrantItem): Grant => grantSchema.parse(item);

/** Attribute on the citizen's profile counting changes to the citizen's grants (recorded or ended). */
export const GRANTS_VERSION = 'grantsVersion';

/** The profile's grants version; profiles written before the counter existed count as 0. */
export function grantsVersionOf(profile: Record<string, unknown> | undefined): number {
  const value = profile?.[GRANTS_VERSION];
  return typeof value === 'number' ? value : 0;
}

/** The profile update that goes in every transaction changing a grant (ADD starts a missing counter at 0). */
export function bumpGrantsVersion(deps: Deps, citizenId: string): TransactItem {
  return {
    Update: {
      TableName: deps.table.name,
      Key: citizenKeys.profile(citizenId),
      UpdateExpression: 'ADD #grantsVersion :one',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#grantsVersion': GRANTS_VERSION },
      ExpressionAttributeValues: { ':one': 1 },
    },
  };
}

export const CONFLICT_RETRIES = 4;
/** The wait after failed attempt `attempt` (0-based) of a transaction that lost a race. */
export const jitter = (attempt: number) => waitBeforeRetry(attempt + 1, TRANSACTION_CONFLICT_BACKOFF);

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
  const actions = [
    putNew(deps.table, { ...conversionKeys.grant(citizenId, grantId), entity: 'Grant', ...grant }),
    bumpGrantsVersion(deps, citizenId),
    auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS).item(ctx, {
      action: 'grant.create',
      resource: `citizens/${citizenId}/grants/${grantId}`,
      citizenId,
    }),
  ];
  // The profile is now written by every grant, assessment and approval check: a transaction that
  // loses a race on it is cancelled without writing anything, so it is safe to send again.
  const citizenMissing = (error: unknown) =>
    error instanceof TransactionConflict && error.reasons[1] === 'ConditionalCheckFailed';
  try {
    await withRetry(() => transactWrite(deps.table, actions), {
      ...TRANSACTION_CONFLICT_BACKOFF,
      attempts: CONFLICT_RETRIES + 1,
      retryIf: (error) => error instanceof TransactionConflict && !citizenMissing(error),
    });
    return grant;
  } catch (error) {
    if (citizenMissing(error)) throw new NotFoundError('The citizen');
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
  const result = await queryPage<GrantItem>(deps.table, {
    partition: ['pk', conversionKeys.citizenPartition(citizenId)],
    sort: { attribute: 'sk', beginsWith: conversionKeys.grantPrefix },
    limit: page.limit,
    cursor: page.cursor,
  });
  await auditLog(deps.table, deps.config.AUDIT_RETENTION_DAYS).recordRead(ctx, {
    action: 'grant.read',
    resource: `citizens/${citizenId}/grants`,
    citizenId,
  });
  return { items: result.items.map(toGrant), nextCursor: result.nextCursor };
}

/**
 * The citizen's profile item and every grant in one consistent Query: they sort next to each
 * other in the citizen's partition (`conversionKeys.grantsAndProfile`). For the conversion
 * rules, which check visibility on the profile and audit their own reads.
 */
export async function grantsAndProfileOf(
  deps: Deps,
  citizenId: string,
): Promise<{ profile: Record<string, unknown> | undefined; grants: Grant[] }> {
  const items = await queryAll<Record<string, unknown> & { sk: string }>(deps.table, {
    partition: ['pk', conversionKeys.citizenPartition(citizenId)],
    sort: { attribute: 'sk', between: conversionKeys.grantsAndProfile },
    consistent: true,
  });
  const [, profileSk] = conversionKeys.grantsAndProfile;
  return {
    profile: items.find((item) => item.sk === profileSk),
    grants: items
      .filter((item) => item.sk.startsWith(conversionKeys.grantPrefix))
      .map((item) => toGrant(item as GrantItem)),
  };
}
