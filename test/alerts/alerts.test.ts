import { beforeAll, describe, expect, it } from 'vitest';
import {
  acknowledgeAlert,
  AlertChanged,
  raiseAlert,
  readVisibleAlert,
  recordEarlierOccurrence,
  resolveAlertByDedupKey,
} from '#shared/alerts/alerts.ts';
import { runJob } from '#shared/app/job-registry.ts';
import { newId } from '#shared/platform/ids.ts';
import { alertKeys } from '#shared/table/keys.ts';
import { putNew } from '#shared/table/store.ts';
import { createTestApp, FixedClock, type TestApp } from '../support/app.ts';

const clock = new FixedClock(new Date('2026-11-23T19:00:00Z'));
let t: TestApp;
let staff: string;
let lead: string;
let otherTeam: string;
let assessor: string;

/** Alerts name citizens of the team: registered through the API like any other. */
async function eastCitizen(): Promise<string> {
  const res = await t.call('POST', '/citizens', {
    as: assessor,
    body: {
      nationalId: `0101${String(40 + (++registered % 50))}-${String(1000 + registered)}`,
      name: { given: 'Alma', family: 'Alarm' },
    },
  });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text}`);
  return res.body.citizenId as string;
}
let registered = 0;

beforeAll(async () => {
  t = await createTestApp({ clock, config: { ALERT_ESCALATE_AFTER_MINUTES: 30 } });
  staff = await t.token('staff', 'stf-anna', 'east');
  lead = await t.token('lead', 'lead-lis', 'east');
  otherTeam = await t.token('staff', 'stf-west', 'west');
  assessor = await t.token('assessor', 'asr-east', 'east');
});

const missedDose = (citizenId: string, doseAt: string) => ({
  kind: 'missed_dose' as const,
  team: 'east',
  citizenId,
  dedupKey: `missed_dose#${citizenId}#${doseAt}`,
  summary: `Dose at ${doseAt} not taken`,
  occurredAt: new Date(doseAt),
});

describe('an alert raised by a detection job', () => {
  it('is raised once per cause, however often the job runs', async () => {
    const citizenId = await eastCitizen();
    const first = await raiseAlert(t.deps, missedDose(citizenId, '2026-11-23T08:00:00Z'));
    const again = await raiseAlert(t.deps, missedDose(citizenId, '2026-11-23T08:00:00Z'));
    expect(first.raised).toBe(true);
    expect(again).toEqual({ raised: false });
    const list = await t.call('GET', `/alerts?citizenId=${citizenId}`, { as: staff });
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    expect(t.deps.events.ofType('AlertRaised').filter((e) => e.detail.citizenId === citizenId)).toHaveLength(1);
  });

  it('shows on the team’s open list and not to another team', async () => {
    const citizenId = await eastCitizen();
    const { alertId } = await raiseAlert(t.deps, missedDose(citizenId, '2026-11-23T12:00:00Z'));
    const mine = await t.call('GET', '/alerts?status=open&limit=200', { as: staff });
    expect(mine.body.items.map((a: { alertId: string }) => a.alertId)).toContain(alertId);
    const theirs = await t.call('GET', '/alerts?status=open', { as: otherTeam });
    expect(theirs.body.items).toEqual([]);
    const ack = await t.call('POST', `/alerts/${alertId}/ack`, { as: otherTeam });
    expect(ack.status).toBe(404);
  });

  it('is acknowledged, then resolved with a note; resolving twice is a conflict', async () => {
    const citizenId = await eastCitizen();
    const { alertId } = await raiseAlert(t.deps, missedDose(citizenId, '2026-11-23T20:00:00Z'));
    const ack = await t.call('POST', `/alerts/${alertId}/ack`, { as: staff, body: { note: 'Calling the citizen' } });
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'stf-anna',
      acknowledgementNote: 'Calling the citizen',
    });
    const ackAgain = await t.call('POST', `/alerts/${alertId}/ack`, { as: staff });
    expect(ackAgain.status).toBe(409);
    const noNote = await t.call('POST', `/alerts/${alertId}/resolve`, { as: staff, body: {} });
    expect(noNote.status).toBe(400);
    expect(noNote.body.errors[0].field).toBe('body/note');
    const resolved = await t.call('POST', `/alerts/${alertId}/resolve`, {
      as: staff,
      body: { note: 'Took the dose during the call' },
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({
      status: 'resolved',
      resolvedBy: 'stf-anna',
      resolution: 'Took the dose during the call',
    });
    const twice = await t.call('POST', `/alerts/${alertId}/resolve`, { as: staff, body: { note: 'again' } });
    expect(twice.status).toBe(409);
    await t.call('GET', `/alerts?citizenId=${citizenId}&status=resolved`, { as: staff });
    const audit = await t.call('GET', `/audit?citizenId=${citizenId}`, { as: await t.token('admin', 'adm-1') });
    expect(audit.body.items.map((r: { action: string }) => r.action)).toEqual(
      expect.arrayContaining(['alert.update', 'alert.read']),
    );
  });

  it('may raise again after resolution when the cause is an episode (a fault), but not for a dose', async () => {
    const dispenserId = newId('dsp');
    const fault = {
      kind: 'device_fault' as const,
      team: 'east',
      dispenserId,
      dedupKey: `device_fault#${dispenserId}#jammed`,
      summary: 'Dispenser jammed',
      occurredAt: clock.now(),
      reraiseAfterResolve: true,
    };
    const first = await raiseAlert(t.deps, fault);
    expect(await resolveAlertByDedupKey(t.deps, fault.dedupKey, 'Unjammed by the device', 'device')).toBe(true);
    expect((await raiseAlert(t.deps, fault)).raised).toBe(true);
    expect(first.raised).toBe(true);

    const citizenId = await eastCitizen();
    const dose = missedDose(citizenId, '2026-11-22T08:00:00Z');
    await raiseAlert(t.deps, dose);
    expect(await resolveAlertByDedupKey(t.deps, dose.dedupKey, 'Late dose_taken arrived', 'device')).toBe(true);
    expect((await raiseAlert(t.deps, dose)).raised).toBe(false);
  });
});

describe('an alert written meanwhile', () => {
  it('is a 409 alert-changed when a write that joins the acknowledgement fails, and nothing is written', async () => {
    const citizenId = await eastCitizen();
    const dose = missedDose(citizenId, '2026-11-20T08:00:00Z');
    const { alertId } = await raiseAlert(t.deps, dose);
    const ctx = {
      actor: { kind: 'user' as const, sub: 'stf-anna', roles: ['staff' as const], team: 'east' },
      requestId: 'req-x',
      now: clock.now(),
    };
    // The cause's claim exists: a Put of it "only if new" fails, as a used acknowledgement link would.
    const taken = putNew(t.deps.table, { ...alertKeys.cause(dose.dedupKey), entity: 'AlertCause' });
    const failed = acknowledgeAlert(t.deps, ctx, alertId ?? '', undefined, [taken]);
    await expect(failed).rejects.toBeInstanceOf(AlertChanged);
    await expect(failed).rejects.toMatchObject({ status: 409, reason: 'alert-changed' });
    expect((await readVisibleAlert(t.deps, ctx.actor, alertId ?? '')).status).toBe('open');
  });

  it('keeps the earliest occurrence of an episode reported again, until it is resolved', async () => {
    const dispenserId = newId('dsp');
    const fault = {
      kind: 'device_fault' as const,
      team: 'east',
      dispenserId,
      dedupKey: `device_fault#${dispenserId}#jammed`,
      summary: 'Dispenser jammed',
      occurredAt: new Date('2026-11-23T10:00:00Z'),
      reraiseAfterResolve: true,
    };
    const { alertId } = await raiseAlert(t.deps, fault);
    const lead = { kind: 'user' as const, sub: 'lead-lis', roles: ['lead' as const], team: 'east' };
    expect(await recordEarlierOccurrence(t.deps, fault.dedupKey, new Date('2026-11-23T11:00:00Z'))).toBe(false);
    expect(await recordEarlierOccurrence(t.deps, fault.dedupKey, new Date('2026-11-23T09:30:00Z'))).toBe(true);
    expect((await readVisibleAlert(t.deps, lead, alertId ?? '')).occurredAt).toBe('2026-11-23T09:30:00.000Z');
    await resolveAlertByDedupKey(t.deps, fault.dedupKey, 'Unjammed', 'device');
    expect(await recordEarlierOccurrence(t.deps, fault.dedupKey, new Date('2026-11-23T09:00:00Z'))).toBe(false);
  });
});

describe('escalation', () => {
  it('flags an alert nobody acknowledged in time for the lead, once', async () => {
    const citizenId = await eastCitizen();
    const { alertId } = await raiseAlert(t.deps, missedDose(citizenId, '2026-11-23T18:00:00Z'));
    const acknowledged = await raiseAlert(t.deps, missedDose(citizenId, '2026-11-23T18:30:00Z'));
    await t.call('POST', `/alerts/${acknowledged.alertId}/ack`, { as: staff });

    clock.advanceMinutes(31);
    const first = (await runJob(t.deps, 'escalate-alerts')) as { escalated: string[] };
    const second = (await runJob(t.deps, 'escalate-alerts')) as { escalated: string[] };
    await t.drain();
    expect(first.escalated).toContain(alertId);
    expect(first.escalated).not.toContain(acknowledged.alertId);
    expect(second.escalated).not.toContain(alertId);
    expect(t.deps.events.ofType('AlertEscalated').filter((e) => e.detail.alertId === alertId)).toHaveLength(1);

    const flagged = await t.call('GET', '/alerts?status=open&escalated=true&limit=200', { as: lead });
    expect(flagged.body.items.map((a: { alertId: string }) => a.alertId)).toContain(alertId);
    expect(flagged.body.items.every((a: { escalated: boolean }) => a.escalated)).toBe(true);
  });

  it('refuses a citizen token and a bad id', async () => {
    const citizen = await t.token('citizen', newId('cit'));
    expect((await t.call('GET', '/alerts', { as: citizen })).status).toBe(403);
    expect((await t.call('POST', '/alerts/not-an-id/ack', { as: staff })).status).toBe(400);
  });
});

describe('auditing a list', () => {
  it('writes one record per citizen, naming every alert read', async () => {
    const citizenId = await eastCitizen();
    const first = await raiseAlert(t.deps, missedDose(citizenId, '2026-11-21T08:00:00Z'));
    const second = await raiseAlert(t.deps, missedDose(citizenId, '2026-11-21T20:00:00Z'));
    const admin = await t.token('admin', 'adm-1');
    const before = (await t.call('GET', `/audit?citizenId=${citizenId}`, { as: admin })).body.items.length;
    await t.call('GET', `/alerts?citizenId=${citizenId}`, { as: staff });
    const after = (await t.call('GET', `/audit?citizenId=${citizenId}`, { as: admin })).body.items;
    // The first read of the audit log is itself audited: one record for it, one for the alert list.
    expect(after).toHaveLength(before + 2);
    const read = after.find((r: { action: string }) => r.action === 'alert.read');
    expect(read.resource.split(' ').sort()).toEqual([`alerts/${first.alertId}`, `alerts/${second.alertId}`].sort());
    expect(read.actor).toEqual({ sub: 'stf-anna', role: 'staff', kind: 'user', team: 'east' });
  });
});
