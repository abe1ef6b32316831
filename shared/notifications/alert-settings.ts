import * as z from '#shared/platform/zod.ts';
import { auditLogOf } from '#shared/audit/audit.ts';
import { requireVisibleCitizen } from '#shared/citizens/citizens.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { ValidationError } from '#shared/platform/errors.ts';
import { newId } from '#shared/platform/ids.ts';
import { isoDateTime } from '#shared/platform/time-input.ts';
import { notificationKeys } from '#shared/table/keys.ts';
import { putNew, queryAll, transactWrite } from '#shared/table/store.ts';

/**
 * Per citizen: how long a missed-dose alert waits before paging, the quiet period after a device
 * fault, and pauses (hospital, holiday) during which nothing is paged. Read by the dispenser
 * capability when it raises alerts, so it lives apart from the team's rosters, chains and contacts.
 */

export const alertSettingsInputSchema = z
  .strictObject({
    missedDoseDelayMinutes: z
      .number()
      .int()
      .min(0)
      .max(24 * 60)
      .optional()
      .openapi({
        description:
          'Wait this long after a missed-dose alert before paging (a late take clears it); default from config',
      }),
    faultQuietMinutes: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 60)
      .optional()
      .openapi({
        description: 'After a resolved device fault or silence, the same problem pages nobody for this long',
      }),
  })
  .openapi('AlertSettingsInput');

export const alertPauseInputSchema = z
  .strictObject({
    from: isoDateTime(),
    to: isoDateTime(),
    reason: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .openapi({ description: 'e.g. "hospital", "holiday" — no health details' }),
  })
  .openapi('AlertPauseInput');

export const alertPauseSchema = z
  .object({
    pauseId: z.string(),
    from: z.string(),
    to: z.string(),
    reason: z.string(),
    createdAt: z.string(),
    createdBy: z.string(),
  })
  .openapi('AlertPause');
export type AlertPause = z.infer<typeof alertPauseSchema>;

export const alertSettingsSchema = z
  .object({
    citizenId: z.string(),
    missedDoseDelayMinutes: z.number().int(),
    faultQuietMinutes: z.number().int(),
    pauses: z.array(alertPauseSchema),
  })
  .openapi('AlertSettings');
export type AlertSettings = z.infer<typeof alertSettingsSchema>;

/** Settings and pauses in one Query (`ALERTPAUSE#…` and `ALERTSETTINGS` share the prefix). */
export async function loadAlertSettings(deps: Deps, citizenId: string): Promise<AlertSettings> {
  const items = await queryAll(
    deps.table,
    {
      partition: ['pk', `CITIZEN#${citizenId}`],
      sort: { attribute: 'sk', beginsWith: notificationKeys.alertSettingsPrefix },
      consistent: true,
    },
    500,
  );
  const settings = items.find((i) => i.sk === notificationKeys.alertSettings(citizenId).sk);
  return {
    citizenId,
    missedDoseDelayMinutes:
      typeof settings?.missedDoseDelayMinutes === 'number'
        ? settings.missedDoseDelayMinutes
        : deps.config.MISSED_DOSE_ALERT_DELAY_MINUTES,
    faultQuietMinutes:
      typeof settings?.faultQuietMinutes === 'number' ? settings.faultQuietMinutes : deps.config.FAULT_QUIET_MINUTES,
    pauses: items.filter((i) => String(i.sk).startsWith('ALERTPAUSE#')).map((i) => alertPauseSchema.parse(i)),
  };
}

export const isPausedAt = (pauses: readonly Pick<AlertPause, 'from' | 'to'>[], at: Date | string) => {
  const t = new Date(at).getTime();
  return pauses.some((p) => Date.parse(p.from) <= t && t < Date.parse(p.to));
};

const audit = (deps: Deps) => auditLogOf(deps);

export async function readAlertSettings(deps: Deps, ctx: RequestContext, citizenId: string): Promise<AlertSettings> {
  await requireVisibleCitizen(deps, ctx.actor, citizenId);
  const settings = await loadAlertSettings(deps, citizenId);
  await audit(deps).recordRead(ctx, {
    action: 'alert-settings.read',
    resource: `citizens/${citizenId}/alert-settings`,
    citizenId,
  });
  return settings;
}

export async function setAlertSettings(
  deps: Deps,
  ctx: RequestContext,
  citizenId: string,
  input: z.infer<typeof alertSettingsInputSchema>,
): Promise<AlertSettings> {
  await requireVisibleCitizen(deps, ctx.actor, citizenId);
  await transactWrite(deps.table, [
    {
      Put: {
        TableName: deps.table.name,
        Item: {
          ...notificationKeys.alertSettings(citizenId),
          entity: 'AlertSettings',
          citizenId,
          ...input,
          updatedAt: ctx.now.toISOString(),
          updatedBy: ctx.actor.sub,
        },
      },
    },
    audit(deps).item(ctx, {
      action: 'alert-settings.update',
      resource: `citizens/${citizenId}/alert-settings`,
      citizenId,
    }),
  ]);
  return loadAlertSettings(deps, citizenId);
}

export async function addAlertPause(
  deps: Deps,
  ctx: RequestContext,
  citizenId: string,
  input: z.infer<typeof alertPauseInputSchema>,
): Promise<AlertPause> {
  await requireVisibleCitizen(deps, ctx.actor, citizenId);
  const from = new Date(input.from);
  const to = new Date(input.to);
  if (to.getTime() <= from.getTime())
    throw new ValidationError('A pause ends after it starts.', [{ field: 'body/to', message: 'must be after from' }]);
  if (to.getTime() <= ctx.now.getTime())
    throw new ValidationError('A pause must not be over already.', [
      { field: 'body/to', message: 'must be in the future' },
    ]);
  const pause: AlertPause = {
    pauseId: newId('pau', ctx.now),
    from: from.toISOString(),
    to: to.toISOString(),
    reason: input.reason,
    createdAt: ctx.now.toISOString(),
    createdBy: ctx.actor.sub,
  };
  await transactWrite(deps.table, [
    putNew(deps.table, {
      ...notificationKeys.alertPause(citizenId, pause.from, pause.pauseId),
      entity: 'AlertPause',
      citizenId,
      ...pause,
    }),
    audit(deps).item(ctx, {
      action: 'alert-settings.update',
      resource: `citizens/${citizenId}/alert-pauses/${pause.pauseId}`,
      citizenId,
    }),
  ]);
  return pause;
}
