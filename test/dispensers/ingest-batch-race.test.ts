import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { handleStreamRecords } from '#shared/app/stream-registry.ts';
import { rawEventItem } from '#shared/dispensers/ingest.ts';
import { markRawEventRefused } from '#shared/dispensers/store.ts';
import type { DeviceEvent } from '#shared/dispensers/model.ts';
import type { StreamRecord } from '#shared/domain-events/stream.ts';
import { createDocumentClient } from '#shared/table/client.ts';
import { alertKeys, auditKeys, dispenserKeys } from '#shared/table/keys.ts';
import { getItem, putItems, queryAll, type Item, type Key } from '#shared/table/store.ts';
import { createTestApp, FixedClock, type TestApp } from '../support/app.ts';
import { citizenWithDispenser, eventId, type DispenserWorld, dispenserWorld } from './support.ts';

/**
 * Two device batches carrying one new event id at the same moment, on the real DynamoDB Local
 * and its stream. Both read the id as absent and both write it with BatchWriteItem (no
 * condition), so the later write replaces the first copy. The race is forced deterministically:
 * the first batch is posted, then the second batch's copy is written exactly as its
 * BatchWriteItem would, before the stream is read. After the stream drains, the stored event is
 * the first copy again and everything derived is the first copy's.
 */
const clock = new FixedClock(new Date('2026-11-22T12:00:00Z'));
let t: TestApp;
let w: DispenserWorld;
type Device = Awaited<ReturnType<typeof citizenWithDispenser>>;

beforeAll(async () => {
  t = await createTestApp({ clock });
  w = await dispenserWorld(t);
});

/** A citizen whose dispenser plans one dose at 08:00 Copenhagen (07:00 UTC) from 23 November. */
async function newDevice(): Promise<Device> {
  clock.set('2026-11-22T12:00:00Z');
  const device = await citizenWithDispenser(t, w, { times: ['08:00'], validFrom: '2026-11-23' });
  clock.set('2026-11-23T12:00:00Z');
  return device;
}

/** A batch posted and answered; unless `drain`, its stream is not read yet (the other batch is still in flight). */
async function post(device: Device, events: DeviceEvent[], drain = false) {
  const res = await t.call('POST', `/dispensers/${device.dispenserId}/events`, {
    headers: { authorization: `Bearer ${device.credential}` },
    body: { events },
    drain,
  });
  expect(res.status, res.text).toBe(202);
  expect(res.body.accepted).toBe(events.length);
  return res;
}

const stored = (device: Device, id: string) =>
  getItem(t.deps.table, dispenserKeys.rawEvent(device.dispenserId, id), { consistent: true });

/** What the racing batch's BatchWriteItem stores: its own copy of the event, as that post builds it. */
function racingCopy(first: Item, event: DeviceEvent, requestId: string): Item & Key {
  return rawEventItem({
    call: { dispenserId: String(first.dispenserId), credential: undefined, requestId },
    device: { team: String(first.team), credentialIssuedAt: String(first.credentialIssuedAt) },
    candidate: { index: 0, event, occurredAt: new Date(event.occurredAt) },
    citizenId: String(first.citizenId),
    doseAt: first.type === event.type ? (first.doseAt as string | undefined) : undefined,
    now: new Date(Date.parse(String(first.receivedAt)) + 3),
    retentionDays: t.config.RAW_EVENT_RETENTION_DAYS,
  }) as unknown as Item & Key;
}

/**
 * A device whose first batch stored a taken dose under a new id; `racing` makes another post's copy
 * of that id, as its BatchWriteItem would store it a moment later: a jam or an empty tray.
 */
async function firstBatchStored(tag: string) {
  const device = await newDevice();
  const id = eventId(tag);
  await post(device, [
    { eventId: id, type: 'dose_taken', occurredAt: '2026-11-23T07:05:00Z' },
    { eventId: eventId('hb'), type: 'heartbeat', occurredAt: '2026-11-23T07:06:00Z' },
  ]);
  const first = await stored(device, id);
  if (!first) throw new Error('the first batch stored nothing');
  const racing = (type: 'jammed' | 'empty', requestId: string) =>
    racingCopy(
      first,
      { eventId: id, type, occurredAt: type === 'jammed' ? '2026-11-23T10:30:00Z' : '2026-11-23T11:00:00Z' },
      requestId,
    );
  return { device, id, first, racing };
}

/** Everything derived for the device's citizen and the dispenser's contact time. */
async function derivedState(device: Device) {
  const adherence = await queryAll(t.deps.table, {
    partition: ['pk', dispenserKeys.adherencePartition(device.citizenId)],
  });
  const audits = await queryAll(t.deps.table, { partition: ['pk', auditKeys.citizenPartition(device.citizenId)] });
  const faultCause = await getItem(t.deps.table, alertKeys.cause(`device_fault#${device.dispenserId}#jammed`));
  return {
    adherence: adherence.map((r) => ({ sk: r.sk, takenAts: r.takenAts, hours: r.hours })),
    ingestAudits: audits.filter((a) => a.action === 'device-events.ingest').map((a) => a.requestId),
    jammedAlert: faultCause !== undefined,
    lastContactAt: (await getItem(t.deps.table, dispenserKeys.dispenser(device.dispenserId)))?.lastContactAt,
  };
}

/** Everything in the table but the stream poller's position (a test-only Scan on a client without the stack guard). */
async function snapshot() {
  const db = createDocumentClient({ region: t.config.AWS_REGION, endpoint: t.config.DYNAMODB_ENDPOINT });
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: t.config.TABLE_NAME, ExclusiveStartKey: start }));
    items.push(...((page.Items ?? []) as Item[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items
    .filter((i) => i.pk !== 'STREAMCHECKPOINT')
    .sort((a, b) => `${String(a.pk)}|${String(a.sk)}`.localeCompare(`${String(b.pk)}|${String(b.sk)}`));
}

const modify = (oldImage: Item, newImage: Item): StreamRecord => ({
  sequenceNumber: '1',
  eventName: 'MODIFY',
  oldImage,
  newImage,
});

describe('two batches carrying one new event id at the same moment', () => {
  it('of different content: the first copy stays stored, and only it is derived from', async () => {
    const device = await newDevice();
    const id = eventId('race');
    // The first batch: the 08:00 dose taken. The other batch: a jam, later that morning, under the same id.
    const taken: DeviceEvent = { eventId: id, type: 'dose_taken', occurredAt: '2026-11-23T07:05:00Z' };
    const jammed: DeviceEvent = {
      eventId: id,
      type: 'jammed',
      occurredAt: '2026-11-23T10:30:00Z',
      details: { code: 'E12', motor: 2, retried: true },
    };
    const heartbeat: DeviceEvent = { eventId: eventId('hb'), type: 'heartbeat', occurredAt: '2026-11-23T07:06:00Z' };
    await post(device, [taken, heartbeat]);
    const first = await stored(device, id);
    if (!first) throw new Error('the first batch stored nothing');
    const second = racingCopy(first, jammed, 'req-racing-batch');
    await putItems(t.deps.table, [second]);
    expect((await stored(device, id))?.type).toBe('jammed');

    await t.drain();

    expect(await stored(device, id)).toEqual(first);
    expect(await derivedState(device)).toEqual({
      adherence: [
        { sk: 'DOSE#2026-11-23#SEEN', takenAts: undefined, hours: new Set(['07']) },
        { sk: 'DOSE#2026-11-23T07:00:00.000Z', takenAts: new Set(['2026-11-23T07:05:00.000Z']), hours: undefined },
      ],
      ingestAudits: [first.requestId],
      jammedAlert: false,
      lastContactAt: first.receivedAt,
    });
  });

  it('three batches, the stream read after all of them: the first of the three is stored', async () => {
    const { device, id, first, racing } = await firstBatchStored('three');
    const jammed = racing('jammed', 'req-b');
    const empty = racing('empty', 'req-c');
    await putItems(t.deps.table, [jammed]);
    await putItems(t.deps.table, [empty]);

    await t.drain();

    expect(await stored(device, id)).toEqual(first);
    const alerts = await t.call('GET', `/alerts?status=open&citizenId=${device.citizenId}`, { as: w.lead });
    expect(alerts.body.items).toEqual([]);
  });

  it('a MODIFY record never undoes a later write: that write’s own record puts the first copy back', async () => {
    const { device, id, first, racing } = await firstBatchStored('later');
    const second = racing('jammed', 'req-b');
    const third = racing('empty', 'req-c');
    await putItems(t.deps.table, [second]);
    await putItems(t.deps.table, [third]);

    // The stream's records one by one, as the function gets them (the poller has not read them yet).
    expect(await handleStreamRecords(t.deps, [modify(first, second)])).toEqual({});
    expect(await stored(device, id)).toEqual(third);
    expect(await handleStreamRecords(t.deps, [modify(second, third)])).toEqual({});
    expect(await stored(device, id)).toEqual(first);

    await t.drain();
    expect(await stored(device, id)).toEqual(first);
  });

  it('a change the derivation made to the other batch’s copy is carried over to the first copy', async () => {
    const { device, id, first, racing } = await firstBatchStored('reviewed');
    await putItems(t.deps.table, [racing('jammed', 'req-b')]);
    // The review of a decision made on a cached dispenser item refuses the event (from the first copy's
    // INSERT, which the stream delivers before the MODIFY) and marks what is stored: the other copy.
    await markRawEventRefused(t.deps.table, device.dispenserId, id, 'credential-replaced');

    await t.drain();

    expect(await stored(device, id)).toEqual({ ...first, refused: 'credential-replaced' });
    // The change's own record delivered again: it stands, nothing is stored again.
    await handleStreamRecords(t.deps, [modify(first, { ...first, refused: 'credential-replaced' })]);
    expect(await stored(device, id)).toEqual({ ...first, refused: 'credential-replaced' });
  });

  it('a MODIFY record delivered again, or the put-back’s own, changes nothing', async () => {
    const { device, id, first, racing } = await firstBatchStored('again');
    const second = racing('jammed', 'req-x');
    await putItems(t.deps.table, [second]);
    await t.drain();
    const before = await snapshot();

    expect(await handleStreamRecords(t.deps, [modify(first, second), modify(second, first)])).toEqual({});
    await t.drain();

    expect(await snapshot()).toEqual(before);
    expect(await stored(device, id)).toEqual(first);
  });

  it('of the same content: the state is that of one clean post, the first post’s receipt kept', async () => {
    const clean = await newDevice();
    const raced = await newDevice();
    const events = (prefix: string): DeviceEvent[] => [
      {
        eventId: `${prefix}-1`,
        type: 'dose_taken',
        occurredAt: '2026-11-23T08:05:00+01:00',
        scheduledFor: '2026-11-23T08:00:00+01:00',
        details: { tray: 3, sensor: 'lid' },
      },
      { eventId: `${prefix}-2`, type: 'heartbeat', occurredAt: '2026-11-23T07:06:00Z' },
    ];
    await post(clean, events(clean.dispenserId), true);
    const cleanState = await derivedState(clean);

    await post(raced, events(raced.dispenserId));
    const firsts = await Promise.all(events(raced.dispenserId).map((e) => stored(raced, e.eventId)));
    // The other post was answered "accepted" too, and its BatchWriteItem stored both again, a moment later.
    const copies = firsts.map((f, i) => racingCopy(f as Item, events(raced.dispenserId)[i] as DeviceEvent, 'req-same'));
    expect(copies.map((c) => ({ ...c, receivedAt: 0, requestId: 0 }))).toEqual(
      firsts.map((f) => ({ ...f, receivedAt: 0, requestId: 0 })),
    );
    await putItems(t.deps.table, copies);

    await t.drain();

    for (const [i, f] of firsts.entries()) expect(await stored(raced, String(f?.eventId)), `event ${i}`).toEqual(f);
    const state = await derivedState(raced);
    expect(state).toEqual({ ...cleanState, ingestAudits: [firsts[0]?.requestId] });
    expect(state.ingestAudits).toHaveLength(cleanState.ingestAudits.length);
  });
});
