import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { consume } from '#shared/app/event-registry.ts';
import { deriveFromDeviceEvents } from '#shared/dispensers/derive.ts';
import { reconcile } from '#shared/reconcile/reconcile.ts';
import { LocalScheduler } from '#shared/platform/scheduler.ts';
import { createDocumentClient } from '#shared/table/client.ts';
import { auditKeys, dispenserKeys, visitKeys } from '#shared/table/keys.ts';
import { queryAll } from '#shared/table/store.ts';
import {
  assess,
  grant,
  medicationThreeTimesADay,
  readyAnswers,
  supportConversationTwiceAWeek,
} from '../care/care-helpers.ts';
import { citizenWithDispenser, eventId, postEvents, type DispenserWorld } from '../dispensers/support.ts';
import { createTestApp, FixedClock, type TestApp } from '../support/app.ts';
import { injectTableFaults, type TableFaults } from '../support/faults.ts';
import {
  annasWeek,
  bosWeek,
  newCitizen,
  purpose,
  setAvailability,
  visitActors,
  type VisitActors,
} from '../visits/visit-helpers.ts';

/**
 * Durable events under faults, on the real DynamoDB Local: a request that dies right after one
 * of its writes (the client retries), a consumer that dies after one of its writes (the stream
 * delivers again), a bus that is down. Each time the end state is the one of a clean run.
 */
let t: TestApp;
let clock: FixedClock;
let as: VisitActors;
let faults: TableFaults;
let w: DispenserWorld;

beforeAll(async () => {
  // Monday 2 November 2026, 07:00 in Copenhagen.
  clock = new FixedClock(new Date('2026-11-02T06:00:00Z'));
  t = await createTestApp({ clock });
  as = await visitActors(t);
  await setAvailability(t, as.anna, 'stf-anna', annasWeek);
  await setAvailability(t, as.bo, 'stf-bo', bosWeek);
  faults = injectTableFaults(t.deps.table);
  w = { assessor: as.assessor, staff: as.anna, lead: as.lead };
});

/** Delivers until the stream is quiet (a consumer that failed is retried by the next drain). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    const { failed } = await t.deps.drainOutbox();
    if (!failed) return;
  }
}

/** A request as a client that retries until it gets an answer; the first attempt may die after a write. */
async function withRetry(
  attempt: () => Promise<{ status: number; body: any }>,
  ok: number[],
): Promise<{ status: number; body: any }> {
  let res = await attempt().catch(() => ({ status: 599, body: undefined }));
  for (let i = 0; i < 3 && !ok.includes(res.status); i++)
    res = await attempt().catch(() => ({ status: 599, body: undefined }));
  await settle();
  return res;
}

async function auditCount(citizenId: string, action: string): Promise<number> {
  const records = await queryAll(t.deps.table, { partition: ['pk', auditKeys.citizenPartition(citizenId)] });
  return records.filter((r) => r.action === action).length;
}

async function visitsOf(citizenId: string) {
  return queryAll(t.deps.table, { index: 'gsi2', partition: ['gsi2pk', visitKeys.citizenPartition(citizenId)] });
}

async function schedulesOf(visitId: string): Promise<string[]> {
  const pending = await t.deps.scheduler.pending();
  return [...pending.entries()]
    .filter(([name]) => name.endsWith(visitId))
    .map(([name, job]) => `${name.replace(visitId, '')}@${job.at.toISOString()}`)
    .sort();
}

describe('booking under faults', () => {
  async function bookingState(citizenId: string) {
    const visits = await visitsOf(citizenId);
    return {
      visits: visits.map((v) => ({
        status: v.status,
        start: v.start,
        staffId: v.staffId,
        schedulesFor: v.schedulesFor,
      })),
      schedules: await Promise.all(visits.map((v) => schedulesOf(String(v.visitId)))),
      audits: await auditCount(citizenId, 'visit.create'),
    };
  }

  const bookAt = (citizenId: string, start: string) => () =>
    t.call('POST', '/visits', {
      as: as.anna,
      body: { citizenId, staffId: 'stf-anna', start, durationMinutes: 20, purpose },
    });

  it('a staff member books; whichever write the request or a consumer dies after, the retry ends in one visit with its schedules and one audit record', async () => {
    clock.set('2026-11-02T06:00:00Z');
    const clean = await newCitizen(t, as.assessor, 'Clean');
    faults.reset();
    expect((await withRetry(bookAt(clean, '2026-11-03T08:00:00+01:00'), [201])).status).toBe(201);
    const writes = faults.writes();
    expect(writes).toBeGreaterThanOrEqual(3);
    const expected = await bookingState(clean);
    expect(expected.visits).toHaveLength(1);
    expect(expected.schedules[0]).toEqual([
      'visit-no-show-@2026-11-03T07:20:00.000Z',
      'visit-reminder-@2026-11-03T06:45:00.000Z',
    ]);
    expect(expected.audits).toBe(1);

    // The booking's one transaction, then the consumer's schedule writes and its note on the visit.
    for (let n = 1; n <= writes; n++) {
      const citizenId = await newCitizen(t, as.assessor, `Fault${n}`);
      const startMs = Date.parse('2026-11-03T07:00:00Z') + n * 20 * 60_000;
      const start = new Date(startMs).toISOString();
      faults.failAfterWrite(n);
      const res = await withRetry(bookAt(citizenId, start), [201]);
      // The last writes of a clean run are the stream poller's own bookkeeping, which a faulted run may not repeat.
      if (n <= 3) expect(faults.fired(), `write ${n}`).toBe(true);
      expect(res.status, `write ${n}`).toBe(201);
      const state = await bookingState(citizenId);
      expect(
        state.visits.map((v) => ({ ...v, start: undefined, schedulesFor: typeof v.schedulesFor })),
        `write ${n}`,
      ).toEqual(expected.visits.map((v) => ({ ...v, start: undefined, schedulesFor: 'string' })));
      const at = (minutes: number) => new Date(startMs + minutes * 60_000).toISOString();
      expect(state.schedules, `write ${n}`).toEqual([[`visit-no-show-@${at(20)}`, `visit-reminder-@${at(-15)}`]]);
      expect(state.audits, `write ${n}`).toBe(1);
    }
    faults.reset();
  }, 90_000);

  it('a bus that is down does not fail the booking; the next delivery makes its schedules', async () => {
    clock.set('2026-11-02T06:00:00Z');
    const citizenId = await newCitizen(t, as.assessor, 'Bus');
    t.deps.events.failNextDeliveries(2);
    const res = await t.call('POST', '/visits', {
      as: as.anna,
      body: { citizenId, staffId: 'stf-anna', start: '2026-11-04T08:00:00+01:00', durationMinutes: 20, purpose },
    });
    expect(res.status).toBe(201);
    expect(await schedulesOf(res.body.visitId)).toEqual([]);
    await settle();
    expect(await schedulesOf(res.body.visitId)).toHaveLength(2);
  });

  it('bookings never touch the staff profile; a change of availability that removes the time refuses a booking that read the old availability', async () => {
    clock.set('2026-11-02T06:00:00Z');
    const citizenId = await newCitizen(t, as.assessor, 'Race');
    const touched: string[] = [];
    const db = t.deps.table.db as unknown as { send: (c: any, ...r: unknown[]) => Promise<unknown> };
    const send = db.send;
    let raced = false;
    db.send = async (command: any, ...rest: unknown[]) => {
      if (command.constructor.name === 'TransactWriteCommand') {
        touched.push(
          ...command.input.TransactItems.map((i: any) =>
            String((i.Put ?? i.Update ?? i.Delete ?? i.ConditionCheck).Key?.pk ?? (i.Put?.Item.pk as string)),
          ),
        );
        if (!raced && command.input.TransactItems.some((i: any) => i.Put?.Item.entity === 'Visit')) {
          raced = true;
          // Between the booking's read and its transaction, Bo's Wednesday goes.
          const res = await t.call('PUT', '/staff/stf-bo/availability', {
            as: as.bo,
            body: { weekly: bosWeek.weekly.filter((x) => x.weekday !== 3), exceptions: [] },
          });
          expect(res.status).toBe(200);
        }
      }
      return send.call(db, command, ...rest);
    };
    const booking = await t.call('POST', '/visits', {
      as: as.lead,
      body: { citizenId, staffId: 'stf-bo', start: '2026-11-04T10:00:00+01:00', durationMinutes: 20, purpose },
    });
    db.send = send;
    expect(booking.status).toBe(409);
    expect(booking.body.reason).toBe('availability-changed');
    expect(touched.filter((pk) => pk === 'STAFF#stf-bo')).toHaveLength(1); // the availability change itself, never a booking
    const other = await t.call('POST', '/visits', {
      as: as.lead,
      body: { citizenId, staffId: 'stf-bo', start: '2026-11-05T10:00:00+01:00', durationMinutes: 20, purpose },
    });
    expect(other.status).toBe(201);
    // Giving the time back removes the blocks.
    await setAvailability(t, as.bo, 'stf-bo', bosWeek);
    const again = await t.call('POST', '/visits', {
      as: as.lead,
      body: { citizenId, staffId: 'stf-bo', start: '2026-11-04T10:00:00+01:00', durationMinutes: 20, purpose },
    });
    expect(again.status).toBe(201);
  }, 90_000);
});

describe('availability under faults', () => {
  it('a change of availability that dies after its first blocks leaves nothing that refuses bookings once the next change commits', async () => {
    clock.set('2026-11-02T06:00:00Z');
    const citizenId = await newCitizen(t, as.assessor, 'Orphan');
    const book = () =>
      t.call('POST', '/visits', {
        as: as.lead,
        body: { citizenId, staffId: 'stf-bo', start: '2026-11-04T08:00:00+01:00', durationMinutes: 20, purpose },
      });
    // Bo takes Wednesdays away; the process dies right after the first blocks are written.
    faults.failAfterWrite(1);
    const dying = await t.call('PUT', '/staff/stf-bo/availability', {
      as: as.bo,
      body: { weekly: bosWeek.weekly.filter((x) => x.weekday !== 3), exceptions: [] },
    });
    expect(faults.fired()).toBe(true);
    expect(dying.status).toBe(500);
    faults.reset();
    const refused = await book();
    expect(refused.status).toBe(409);
    expect(refused.body.reason).toBe('availability-changed');
    // Bo keeps Wednesdays after all: the change that commits takes the dead change's blocks away.
    await setAvailability(t, as.bo, 'stf-bo', bosWeek);
    const booked = await book();
    expect(booked.status).toBe(201);
  }, 90_000);
});

describe('approval under faults', () => {
  async function approvedCitizen(name: string): Promise<{ citizenId: string; conversionId: string }> {
    const citizenId = await newCitizen(t, as.assessor, name);
    await assess(t, as.assessor, citizenId, readyAnswers);
    const medication = await grant(t, as.assessor, citizenId, medicationThreeTimesADay);
    const conversation = await grant(t, as.assessor, citizenId, supportConversationTwiceAWeek);
    const proposal = await t.call('POST', `/citizens/${citizenId}/conversions`, {
      as: as.anna,
      body: {
        reason: 'Medication by dispenser, conversations by screen.',
        splits: [
          {
            grantId: medication.grantId,
            physical: 1,
            screenVisit: 0,
            medicationTechnology: 2,
            medicationTechnologyTimes: ['08:00', '20:00'],
          },
          { grantId: conversation.grantId, physical: 0, screenVisit: 2, medicationTechnology: 0 },
        ],
      },
    });
    expect(proposal.status).toBe(201);
    return { citizenId, conversionId: proposal.body.conversionId };
  }

  async function approvalState(citizenId: string) {
    const visits = await visitsOf(citizenId);
    const plans = await queryAll(t.deps.table, {
      partition: ['pk', dispenserKeys.citizenPartition(citizenId)],
      sort: { attribute: 'sk', beginsWith: 'DOSEPLAN' },
    });
    const withSchedules = await Promise.all(visits.map(async (v) => (await schedulesOf(String(v.visitId))).length));
    return {
      visits: visits.length,
      everyVisitScheduled: withSchedules.every((n) => n === 2),
      dosePlanItems: plans.length,
      dosePlanTimes: plans.find((p) => p.sk === 'DOSEPLAN')?.times,
      approvals: await auditCount(citizenId, 'conversion.approve'),
      doseAudits: await auditCount(citizenId, 'dose-plan.update'),
    };
  }

  it('a lead approves; whichever write the approval or its consumers die after, the next delivery ends in one dose plan and the planned visits, each with its schedules', async () => {
    clock.set('2026-11-02T06:00:00Z');
    const clean = await approvedCitizen('ApproveClean');
    expect(
      (await withRetry(() => t.call('POST', `/conversions/${clean.conversionId}/approve`, { as: as.lead }), [201]))
        .status,
    ).toBe(201);
    const expected = await approvalState(clean.citizenId);
    expect(expected.visits).toBeGreaterThan(0);
    expect(expected).toMatchObject({
      everyVisitScheduled: true,
      dosePlanItems: 2,
      dosePlanTimes: ['08:00', '20:00'],
      approvals: 1,
      doseAudits: 1,
    });

    for (const n of [1, 2, 3, 5, 8, 13]) {
      const { citizenId, conversionId } = await approvedCitizen(`Approve${n}`);
      faults.failAfterWrite(n);
      // A retry of an approval that committed is answered 409 not-proposed: the state is what counts.
      const res = await withRetry(
        () => t.call('POST', `/conversions/${conversionId}/approve`, { as: as.lead }),
        [201, 409],
      );
      expect(faults.fired(), `write ${n}`).toBe(true);
      expect([201, 409], `write ${n}`).toContain(res.status);
      expect(await approvalState(citizenId), `write ${n}`).toEqual(expected);
    }
    faults.reset();
  }, 90_000);
});

describe('device ingest under faults', () => {
  const batch = () => {
    const id = eventId('f');
    return [
      {
        eventId: `${id}-1`,
        type: 'dose_dispensed',
        occurredAt: '2026-11-02T07:00:00Z',
        scheduledFor: '2026-11-02T08:00:00+01:00',
      },
      {
        eventId: `${id}-2`,
        type: 'dose_taken',
        occurredAt: '2026-11-02T07:05:00Z',
        scheduledFor: '2026-11-02T08:00:00+01:00',
      },
      {
        eventId: `${id}-3`,
        type: 'dose_missed',
        occurredAt: '2026-11-02T13:10:00Z',
        scheduledFor: '2026-11-02T14:00:00+01:00',
      },
      // The later fault first: the alert must still carry the earliest.
      { eventId: `${id}-4`, type: 'jammed', occurredAt: '2026-11-02T13:30:00Z' },
      { eventId: `${id}-5`, type: 'jammed', occurredAt: '2026-11-02T13:20:00Z' },
      { eventId: `${id}-6`, type: 'heartbeat', occurredAt: '2026-11-02T13:40:00Z' },
    ];
  };

  async function ingestState(device: { citizenId: string; dispenserId: string }) {
    const adherence = await queryAll(t.deps.table, {
      partition: ['pk', dispenserKeys.adherencePartition(device.citizenId)],
    });
    const alerts = await t.call('GET', `/alerts?status=open&citizenId=${device.citizenId}`, { as: as.lead });
    return {
      adherence: adherence.map((r) => ({
        sk: r.sk,
        takenAts: r.takenAts,
        missedAts: r.missedAts,
        dispensedAts: r.dispensedAts,
        hours: r.hours,
        alert: r.alertRaisedAt !== undefined,
      })),
      alerts: (alerts.body.items as any[])
        .map((a) => ({
          kind: a.kind,
          occurredAt: a.occurredAt,
          cause: String(a.dedupKey).replace(device.citizenId, 'C').replace(device.dispenserId, 'D'),
        }))
        .sort((a, b) => a.cause.localeCompare(b.cause)),
      ingestAudits: await auditCount(device.citizenId, 'device-events.ingest'),
      lastContact: (
        await queryAll(t.deps.table, { partition: ['pk', dispenserKeys.dispenser(device.dispenserId).pk] })
      ).find((i) => i.sk === 'DISPENSER')?.lastContactAt,
    };
  }

  it('a device posts; whichever write the post or the derivation dies after, its retry ends in the state of one clean post', async () => {
    clock.set('2026-11-02T06:00:00Z');
    const plan = { times: ['08:00', '14:00', '20:00'], validFrom: '2026-11-02' };
    const clean = await citizenWithDispenser(t, w, plan);
    clock.set('2026-11-02T14:00:00Z');
    expect((await withRetry(() => postEvents(t, clean, batch()), [202])).status).toBe(202);
    const expected = await ingestState(clean);
    expect(expected.alerts).toEqual([
      { kind: 'device_fault', occurredAt: '2026-11-02T13:20:00.000Z', cause: 'device_fault#D#jammed' },
      { kind: 'missed_dose', occurredAt: '2026-11-02T13:00:00.000Z', cause: 'missed_dose#C#2026-11-02T13:00:00.000Z' },
    ]);
    expect(expected.ingestAudits).toBe(1);
    expect(expected.lastContact).toBe('2026-11-02T14:00:00.000Z');

    for (let n = 1; n <= 7; n++) {
      clock.set('2026-11-02T06:00:00Z');
      const device = await citizenWithDispenser(t, w, plan);
      clock.set('2026-11-02T14:00:00Z');
      const events = batch();
      faults.failAfterWrite(n);
      const res = await withRetry(() => postEvents(t, device, events), [202]);
      expect(faults.fired(), `write ${n}`).toBe(true);
      expect(res.status, `write ${n}`).toBe(202);
      expect(await ingestState(device), `write ${n}`).toEqual(expected);
    }
    faults.reset();
  }, 90_000);

  it('the fault alert carries the earliest fault of the episode when it arrives in a later post', async () => {
    clock.set('2026-11-02T06:00:00Z');
    const device = await citizenWithDispenser(t, w, { times: ['08:00'], validFrom: '2026-11-02' });
    clock.set('2026-11-02T15:00:00Z');
    expect(
      (await postEvents(t, device, [{ eventId: eventId('late'), type: 'empty', occurredAt: '2026-11-02T14:50:00Z' }]))
        .status,
    ).toBe(202);
    expect(
      (await postEvents(t, device, [{ eventId: eventId('early'), type: 'empty', occurredAt: '2026-11-02T14:10:00Z' }]))
        .status,
    ).toBe(202);
    const alerts = await t.call('GET', `/alerts?status=open&citizenId=${device.citizenId}`, { as: as.lead });
    expect((alerts.body.items as any[]).filter((a) => a.kind === 'device_fault').map((a) => a.occurredAt)).toEqual([
      '2026-11-02T14:10:00.000Z',
    ]);
  });
});

describe('delivered twice', () => {
  /** Everything in the table but the stream poller's own position (test-only Scan on a client without the stack guard). */
  async function snapshot() {
    const db = createDocumentClient({ region: t.config.AWS_REGION, endpoint: t.config.DYNAMODB_ENDPOINT });
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await db.send(new ScanCommand({ TableName: t.config.TABLE_NAME, ExclusiveStartKey: start }));
      items.push(...((page.Items ?? []) as Record<string, unknown>[]));
      start = page.LastEvaluatedKey;
    } while (start);
    return items
      .filter((i) => i.pk !== 'STREAMCHECKPOINT')
      .sort((a, b) => `${a.pk}|${a.sk}`.localeCompare(`${b.pk}|${b.sk}`));
  }

  it('every consumer, and the derivation of device data, given the same events again changes nothing', async () => {
    await settle();
    const before = await snapshot();
    for (const event of t.deps.events.published) await consume(t.deps, event);
    const stored = before.filter((i) => i.entity === 'DeviceEvent');
    expect(stored.length).toBeGreaterThan(0);
    await deriveFromDeviceEvents(t.deps, stored);
    expect(await snapshot()).toEqual(before);
  });
});

describe('lost deliveries and restarts', () => {
  it('the daily reconciliation repairs what a delivery lost for good left undone, and reports it', async () => {
    clock.set('2026-11-02T06:00:00Z');
    const citizenId = await newCitizen(t, as.assessor, 'Lost');
    t.deps.events.failNextDeliveries(1_000);
    const booked = await t.call('POST', '/visits', {
      as: as.anna,
      body: { citizenId, staffId: 'stf-anna', start: '2026-11-06T08:00:00+01:00', durationMinutes: 20, purpose },
    });
    const passed = await t.call('POST', '/visits', {
      as: as.anna,
      body: { citizenId, staffId: 'stf-anna', start: '2026-11-02T08:00:00+01:00', durationMinutes: 20, purpose },
    });
    expect([booked.status, passed.status]).toEqual([201, 201]);
    for (let i = 0; i < 12; i++) await t.deps.drainOutbox();
    expect(t.deps.stream.deadLetters.length).toBeGreaterThan(0);
    t.deps.events.failNextDeliveries(0);
    expect(await schedulesOf(booked.body.visitId)).toEqual([]);

    clock.set('2026-11-02T08:00:00Z');
    const report = await reconcile(t.deps);
    expect(report.schedulesRepaired).toContain(booked.body.visitId);
    expect(report.noShowsRepaired).toContain(passed.body.visitId);
    expect(await schedulesOf(booked.body.visitId)).toHaveLength(2);
    expect((await t.call('GET', `/visits/${passed.body.visitId}`, { as: as.lead })).body.status).toBe('missed');
    // Nothing is left to repair.
    const again = await reconcile(t.deps);
    expect([again.schedulesRepaired, again.noShowsRepaired, again.dosePlansRepaired]).toEqual([[], [], []]);
  });

  it('the local scheduler keeps its schedules in the table and runs what fell due while it was down', async () => {
    clock.set('2026-11-02T06:00:00Z');
    const citizenId = await newCitizen(t, as.assessor, 'Restart');
    const booked = await t.call('POST', '/visits', {
      as: as.anna,
      body: { citizenId, staffId: 'stf-anna', start: '2026-11-09T08:00:00+01:00', durationMinutes: 20, purpose },
    });
    expect(booked.status).toBe(201);
    // A new process on the same table: nothing in memory, the schedules are still there.
    const restarted = new LocalScheduler(t.deps.table);
    const ran: string[] = [];
    restarted.setRunner(async (job, payload) => ran.push(`${job}:${String(payload.visitId)}`));
    expect([...(await restarted.pending()).keys()]).toEqual(
      expect.arrayContaining([`visit-reminder-${booked.body.visitId}`, `visit-no-show-${booked.body.visitId}`]),
    );
    await restarted.runDue(new Date('2026-11-09T08:00:00Z'));
    expect(ran).toEqual(
      expect.arrayContaining([`visit-reminder:${booked.body.visitId}`, `visit-no-show-check:${booked.body.visitId}`]),
    );
    expect([...(await restarted.pending()).keys()].filter((k) => k.endsWith(booked.body.visitId))).toEqual([]);
  });
});
