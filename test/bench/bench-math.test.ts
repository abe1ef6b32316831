import { describe, expect, it } from 'vitest';
import { itemSize, readUnits, valueSize, writeUnits } from '../../bench/item-size.ts';
import { capacityOf, dynamoOperation } from '../../bench/meter.ts';
import { groupIntoWaves } from '../../bench/replay.ts';
import { renderTable, verdict } from '../../bench/report.ts';
import { median, medianRoundRatio, percentile, ratePerSecond, ratio } from '../../bench/stats.ts';
import { deviceBatch, doseInstants, recentDoseInstants } from '../../bench/device-events.ts';
import { forWindow } from '../../bench/ingest.ts';

describe('the benchmark reports order statistics of what it observed', () => {
  const latencies = [12, 3, 7, 40, 5, 9, 11, 2, 8, 6];

  it('takes p50 and p99 as nearest-rank values that were actually measured', () => {
    expect(percentile(latencies, 50)).toBe(7);
    expect(percentile(latencies, 99)).toBe(40);
    expect(percentile(latencies, 0)).toBe(2);
    expect(latencies).toContain(percentile(latencies, 90));
  });

  it('takes the median of an even count as the mean of the middle two', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([5, 1, 3])).toBe(3);
  });

  it('has no figure for no samples, rather than a zero that reads as fast', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(median([])).toBeNaN();
  });
});

describe('ours is reported as a ratio to the floor measured in the same run', () => {
  it('turns counts and milliseconds into a rate per second', () => {
    expect(ratePerSecond(250, 500)).toBe(500);
    expect(ratePerSecond(10, 0)).toBeNaN();
  });

  it('gives no ratio when either side is missing or the floor is zero', () => {
    expect(ratio(300, 600)).toBe(0.5);
    expect(ratio(Number.NaN, 600)).toBeNaN();
    expect(ratio(300, 0)).toBeNaN();
  });

  it('takes the median of per-round ratios, so one disturbed round does not move the figure', () => {
    const rounds = [
      { ours: 500, floor: 1000 },
      { ours: 100, floor: 1000 }, // a burst of load elsewhere during our window
      { ours: 600, floor: 1000 },
    ];
    expect(medianRoundRatio(rounds)).toBe(0.5);
  });
});

describe('item sizes follow DynamoDB’s rules, for the capacity model', () => {
  it('counts attribute names and UTF-8 bytes of strings', () => {
    expect(itemSize({ pk: 'CITIZEN#1', sk: 'PROFILE' })).toBe(2 + 9 + 2 + 7);
    expect(valueSize('Søren')).toBe(6);
  });

  it('counts numbers by significant digits, and containers with their overhead', () => {
    expect(valueSize(1234)).toBe(3);
    expect(valueSize(true)).toBe(1);
    expect(valueSize(['ab'])).toBe(3 + 1 + 2);
    expect(valueSize({ a: 'xy' })).toBe(3 + 1 + 1 + 2);
  });

  it('bills writes per started KB and reads per started 4 KB, half for eventually consistent reads', () => {
    expect(writeUnits(1024)).toBe(1);
    expect(writeUnits(1025)).toBe(2);
    expect(readUnits(4097)).toBe(2);
    expect(readUnits(100, false)).toBe(0.5);
  });
});

describe('the DynamoDB meter names operations and sums consumed capacity', () => {
  it('names document-client commands like the low-level operations', () => {
    expect(dynamoOperation('GetCommand')).toBe('GetItemCommand');
    expect(dynamoOperation('TransactWriteCommand')).toBe('TransactWriteItemsCommand');
    expect(dynamoOperation('QueryCommand')).toBe('QueryCommand');
  });

  it('counts a total as reads for a read and as writes for a write; sums a transaction’s tables', () => {
    expect(capacityOf('QueryCommand', { CapacityUnits: 1.5 })).toEqual({ read: 1.5, write: 0 });
    expect(capacityOf('TransactWriteItemsCommand', [{ CapacityUnits: 4 }, { CapacityUnits: 2 }])).toEqual({
      read: 0,
      write: 6,
    });
    expect(capacityOf('UpdateItemCommand', { ReadCapacityUnits: 1, WriteCapacityUnits: 2 })).toEqual({
      read: 1,
      write: 2,
    });
    expect(capacityOf('GetItemCommand', undefined)).toBeUndefined();
  });
});

describe('a read route’s floor replays its queries in the same parallel waves', () => {
  it('puts commands sent before any of the wave answered beside each other', () => {
    const commands = [
      { id: 'get', startedAt: 0, endedAt: 5 },
      { id: 'query-a', startedAt: 6, endedAt: 12 },
      { id: 'query-b', startedAt: 6.5, endedAt: 10 },
      { id: 'audit', startedAt: 13, endedAt: 20 },
    ];
    expect(groupIntoWaves(commands).map((w) => w.map((c) => c.id))).toEqual([
      ['get'],
      ['query-a', 'query-b'],
      ['audit'],
    ]);
  });
});

describe('the load looks like devices that buffer and resend', () => {
  const zone = 'Europe/Copenhagen';
  const now = new Date('2026-11-23T21:30:00Z'); // 22:30 in Copenhagen

  it('knows the dose instants of a day in the municipality’s time zone', () => {
    expect(doseInstants(['08:00', '21:00'], zone, new Date('2026-11-23T00:00:00Z'), now)).toEqual([
      '2026-11-23T07:00:00.000Z',
      '2026-11-23T20:00:00.000Z',
    ]);
  });

  it('takes the recent dose instants from its per-day list exactly as working them out each time would', () => {
    const times = ['00:30', '02:30', '08:00', '21:00'];
    // Around the autumn DST change (02:00–03:00 twice on 25 October 2026) and across midnight UTC.
    for (const start of [
      '2026-10-24T20:00:00Z',
      '2026-10-25T00:10:00Z',
      '2026-11-23T23:59:00Z',
      '2026-11-24T00:00:00Z',
    ]) {
      for (let step = 0; step < 48; step++) {
        const to = Date.parse(start) + step * 17 * 60_000;
        const from = to - 11 * 3_600_000;
        expect(recentDoseInstants(times, zone, from, to)).toEqual(
          doseInstants(times, zone, new Date(from), new Date(to)),
        );
      }
    }
  });

  it('fills a batch of 25 with dose pairs for the recent doses and heartbeats, every id unique', () => {
    const batch = deviceBatch({ prefix: 'd1', size: 25, now, doseTimes: ['08:00', '12:00', '17:00', '21:00'], zone });
    expect(batch).toHaveLength(25);
    expect(new Set(batch.map((e) => e.eventId)).size).toBe(25);
    expect(batch.filter((e) => e.type === 'dose_taken').map((e) => e.scheduledFor)).toEqual([
      '2026-11-23T11:00:00.000Z',
      '2026-11-23T16:00:00.000Z',
      '2026-11-23T20:00:00.000Z',
    ]);
    expect(batch.every((e) => Date.parse(e.occurredAt) <= now.getTime())).toBe(true);
  });

  it('posts a taken dose every third single-event post and heartbeats otherwise', () => {
    const posts = [0, 1, 2].map(
      (seq) => deviceBatch({ prefix: `p${seq}`, size: 1, now, doseTimes: ['21:00'], zone, seq })[0]?.type,
    );
    expect(posts).toEqual(['heartbeat', 'heartbeat', 'dose_taken']);
  });
});

describe('the printed table', () => {
  it('judges a figure against its target, and says when there is none', () => {
    expect(verdict(0.62, 0.5, 'atLeast')).toBe('met');
    expect(verdict(612, 500, 'below')).toBe('missed');
    expect(verdict(3, 3, 'atMost')).toBe('met');
    expect(verdict(Number.NaN, 3, 'atMost')).toBe('not measured');
  });

  it('lines the columns up', () => {
    const table = renderTable([
      {
        figure: '1',
        case: 'batch 25',
        measured: '900 ev/s',
        floor: '1500 ev/s',
        ratio: '0.60',
        target: '≥ 0.50',
        result: 'met',
      },
    ]);
    const [header, rule, row] = table.split('\n');
    expect(header?.length).toBe(row?.length);
    expect(rule).toMatch(/^\|-+\|/);
    expect(row).toContain('| 0.60  |');
  });
});

describe('the capacity model multiplies measured per-call figures by an assumed daily mix', () => {
  const row = (route: string, step: string, requests: number, rru: number, wru: number) => ({
    step,
    route,
    status: 200,
    calls: 1,
    requests,
    commands: {},
    readUnits: rru,
    writeUnits: wru,
    capacityReported: true,
    ms: 20,
    kind: 'route' as const,
  });

  it('charges device posts per post and says which routes had no measured figure', async () => {
    const { buildCapacityModel } = await import('../../bench/capacity.ts');
    const model = buildCapacityModel({
      workflow: [row('POST /dispensers/{dispenserId}/events', 'device posts 1 event', 4, 1, 6)],
      ingest: [],
      itemSizes: [],
    });
    const [town, nation] = model.loads;
    const posts = town?.lines.find((l) => l.what.startsWith('device posts'));
    expect(posts?.perDay).toBe(300 * (4 * 2 + 24));
    expect(posts?.cost.wru).toBe(6);
    expect(model.missing).toContain('GET /alerts');
    expect(nation?.wruPerDay).toBeGreaterThan((town?.wruPerDay ?? 0) * 100);
    expect(nation?.burstPostsPerSecond).toBeCloseTo((50_000 * 0.5) / 60);
  });
});

describe('a load window counts what every lane wrote', () => {
  it('counts each lane’s writes even when the lanes finish their awaits interleaved', async () => {
    let calls = 0;
    const { count } = await forWindow(16, 40, async (lane) => {
      // Lanes resume in a different order from the one they started in, as concurrent posts do.
      await new Promise((resolve) => setTimeout(resolve, lane % 3));
      calls += 1;
      return 2;
    });
    expect(calls).toBeGreaterThan(16);
    expect(count).toBe(calls * 2);
  });
});
