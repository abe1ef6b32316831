import { describe, expect, it } from 'vitest';
import {
  availabilityInputSchema,
  availableOnDate,
  isAvailable,
  type AvailabilityRules,
} from '#shared/visits/availability-rules.ts';
import { occurrencesOf, occurrenceVisitId } from '#shared/visits/plan-occurrences.ts';
import { gridDuration, isOnGrid, slotBuckets, toZonedIso } from '#shared/visits/time.ts';
import { slotsOf } from '#shared/visits/model.ts';
import { lockMoves } from '#shared/visits/visit-store.ts';
import type { Deps } from '#shared/platform/deps.ts';
import { FixedClock } from '#shared/platform/clock.ts';

const zone = 'Europe/Copenhagen';
const at = (iso: string) => new Date(iso);

// Weekdays 08:00–12:00 and an evening 17:00–21:00; Sunday 09:00–13:00.
const anna: AvailabilityRules = {
  weekly: [
    ...[1, 2, 3, 4, 5].flatMap((weekday) => [
      { weekday, start: '08:00', end: '12:00' },
      { weekday, start: '17:00', end: '21:00' },
    ]),
    { weekday: 7, start: '09:00', end: '13:00' },
  ],
  exceptions: [],
};

describe('availability in wall-clock time', () => {
  it('a staff member is available inside a weekday, an evening and a Sunday window, and not outside them', () => {
    expect(isAvailable(anna, at('2026-11-23T07:00:00Z'), at('2026-11-23T07:30:00Z'), zone)).toBe(true); // Mon 08:00 CET
    expect(isAvailable(anna, at('2026-11-23T19:30:00Z'), at('2026-11-23T20:00:00Z'), zone)).toBe(true); // Mon 20:30, evening
    expect(isAvailable(anna, at('2026-11-29T08:00:00Z'), at('2026-11-29T08:20:00Z'), zone)).toBe(true); // Sun 09:00
    expect(isAvailable(anna, at('2026-11-28T08:00:00Z'), at('2026-11-28T08:20:00Z'), zone)).toBe(false); // Saturday
    expect(isAvailable(anna, at('2026-11-23T10:50:00Z'), at('2026-11-23T11:10:00Z'), zone)).toBe(false); // runs past 12:00
  });

  it('keeps 08:00 at 08:00 across the autumn and spring daylight-saving changes', () => {
    // 2026-10-25: clocks go back; 08:00 is 06:00Z on Saturday and 07:00Z on Sunday.
    const daily: AvailabilityRules = {
      weekly: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '08:00', end: '09:00' })),
      exceptions: [],
    };
    expect(isAvailable(daily, at('2026-10-24T06:00:00Z'), at('2026-10-24T06:30:00Z'), zone)).toBe(true);
    expect(isAvailable(daily, at('2026-10-25T06:00:00Z'), at('2026-10-25T06:30:00Z'), zone)).toBe(false);
    expect(isAvailable(daily, at('2026-10-25T07:00:00Z'), at('2026-10-25T07:30:00Z'), zone)).toBe(true);
    // 2027-03-28: clocks go forward; 08:00 is 07:00Z on Saturday and 06:00Z on Sunday.
    expect(isAvailable(daily, at('2027-03-27T07:00:00Z'), at('2027-03-27T08:00:00Z'), zone)).toBe(true);
    expect(isAvailable(daily, at('2027-03-28T06:00:00Z'), at('2027-03-28T07:00:00Z'), zone)).toBe(true);
    expect(isAvailable(daily, at('2027-03-28T07:00:00Z'), at('2027-03-28T07:30:00Z'), zone)).toBe(false);
  });

  it('a whole day of the changeover is 25 hours long in autumn', () => {
    const allDay: AvailabilityRules = { weekly: [{ weekday: 7, start: '00:00', end: '24:00' }], exceptions: [] };
    const [window] = availableOnDate(allDay, '2026-10-25', zone);
    expect(window && (window[1] - window[0]) / 3_600_000).toBe(25);
  });

  it('windows meeting at midnight join, so a late visit may run past midnight', () => {
    const night: AvailabilityRules = {
      weekly: [
        { weekday: 1, start: '22:00', end: '24:00' },
        { weekday: 2, start: '00:00', end: '02:00' },
      ],
      exceptions: [],
    };
    expect(isAvailable(night, at('2026-11-23T22:30:00Z'), at('2026-11-23T23:30:00Z'), zone)).toBe(true); // Mon 23:30–Tue 00:30
  });

  it('time off removes time and an extra shift adds it, on its date only', () => {
    const withExceptions: AvailabilityRules = {
      weekly: anna.weekly,
      exceptions: [
        { date: '2026-11-24', kind: 'time-off' },
        { date: '2026-11-25', kind: 'time-off', start: '17:00', end: '19:00' },
        { date: '2026-11-28', kind: 'extra-shift', start: '18:00', end: '22:00' },
      ],
    };
    expect(isAvailable(withExceptions, at('2026-11-24T07:00:00Z'), at('2026-11-24T07:20:00Z'), zone)).toBe(false);
    expect(isAvailable(withExceptions, at('2026-11-25T16:30:00Z'), at('2026-11-25T16:50:00Z'), zone)).toBe(false); // Wed 17:30
    expect(isAvailable(withExceptions, at('2026-11-25T18:30:00Z'), at('2026-11-25T18:50:00Z'), zone)).toBe(true); // Wed 19:30
    expect(isAvailable(withExceptions, at('2026-11-28T19:00:00Z'), at('2026-11-28T19:30:00Z'), zone)).toBe(true); // Sat 20:00
    expect(isAvailable(withExceptions, at('2026-12-01T07:00:00Z'), at('2026-12-01T07:20:00Z'), zone)).toBe(true); // next Tuesday
  });

  it('rejects a window that ends before it starts, and an extra shift without times', () => {
    const parsed = availabilityInputSchema.safeParse({
      weekly: [{ weekday: 1, start: '12:00', end: '08:00' }],
      exceptions: [{ date: '2026-11-28', kind: 'extra-shift' }],
    });
    expect(parsed.success).toBe(false);
    const paths = parsed.error?.issues.map((i) => i.path.join('/'));
    expect(paths).toEqual(expect.arrayContaining(['weekly/0/end', 'exceptions/0/start']));
  });
});

describe('the 5-minute grid', () => {
  it('accepts starts on the grid only and rounds grant minutes onto it', () => {
    expect(isOnGrid(at('2026-11-23T07:05:00Z'))).toBe(true);
    expect(isOnGrid(at('2026-11-23T07:07:00Z'))).toBe(false);
    expect([gridDuration(7), gridDuration(30), gridDuration(0), gridDuration(500)]).toEqual([10, 30, 5, 120]);
  });

  it('a visit claims one bucket per 5 minutes, and two overlapping visits share at least one', () => {
    const a = slotBuckets(at('2026-11-23T07:00:00Z'), at('2026-11-23T07:20:00Z'));
    const b = slotBuckets(at('2026-11-23T07:15:00Z'), at('2026-11-23T07:35:00Z'));
    const c = slotBuckets(at('2026-11-23T07:20:00Z'), at('2026-11-23T07:30:00Z'));
    expect(a).toHaveLength(4);
    expect(a.filter((x) => b.includes(x))).toEqual(['2026-11-23T07:15:00.000Z']);
    expect(a.filter((x) => c.includes(x))).toEqual([]);
  });

  it('a reschedule that moves both parties the longest way still fits in one transaction', () => {
    const deps = {
      table: { name: 't', db: undefined },
      clock: new FixedClock(at('2026-11-23T06:00:00Z')),
    } as unknown as Deps;
    const before = slotsOf({
      staffId: 'stf-anna',
      citizenId: 'cit_1',
      start: '2026-11-23T07:00:00.000Z',
      end: '2026-11-23T09:00:00.000Z',
    });
    const after = slotsOf({
      staffId: 'stf-bo',
      citizenId: 'cit_1',
      start: '2026-11-24T07:00:00.000Z',
      end: '2026-11-24T09:00:00.000Z',
    });
    const moved = lockMoves(deps, 'vis_1', before, after);
    expect(moved.length + 3).toBeLessThanOrEqual(100);
    // Overlapping moves keep the shared buckets instead of releasing and re-taking them.
    const nudged = lockMoves(
      deps,
      'vis_1',
      before,
      slotsOf({
        staffId: 'stf-anna',
        citizenId: 'cit_1',
        start: '2026-11-23T07:05:00.000Z',
        end: '2026-11-23T09:05:00.000Z',
      }),
    );
    expect(nudged).toHaveLength(4);
    expect(nudged.map((a) => a.name).sort()).toEqual(['citizenSlot', 'releaseSlot', 'releaseSlot', 'staffSlot']);
  });
});

describe('visits implied by a final grant', () => {
  const entry = {
    grantId: 'grt_1',
    paragraph: 'SEL-85',
    service: 'support_conversation',
    minutes: 25,
    weekdays: [1, 2, 3, 4, 5, 6, 7],
    times: ['08:00', '20:00'],
    validFrom: '2026-10-20',
  };

  it('every day at 08:00 and 20:00 wall-clock, also over the DST change, from validFrom', () => {
    const occ = occurrencesOf(
      'fg_1',
      entry,
      { from: at('2026-10-19T00:00:00Z'), to: at('2026-10-27T00:00:00Z') },
      zone,
    );
    expect(occ[0]?.date).toBe('2026-10-20');
    expect(occ.every((o) => toZonedIso(o.start, zone).slice(11, 16) === o.time)).toBe(true);
    expect(occ.find((o) => o.date === '2026-10-24' && o.time === '08:00')?.start.toISOString()).toBe(
      '2026-10-24T06:00:00.000Z',
    );
    expect(occ.find((o) => o.date === '2026-10-25' && o.time === '08:00')?.start.toISOString()).toBe(
      '2026-10-25T07:00:00.000Z',
    );
    expect(occ.every((o) => o.durationMinutes === 25)).toBe(true);
  });

  it('caps a week at perWeek and puts a timeless grant at the default time', () => {
    const weekly = { ...entry, weekdays: [2, 4, 6], times: [], perWeek: 2 };
    const occ = occurrencesOf(
      'fg_1',
      weekly,
      { from: at('2026-10-26T00:00:00Z'), to: at('2026-11-09T00:00:00Z') },
      zone,
    );
    expect(occ.map((o) => `${o.date} ${o.time}`)).toEqual([
      '2026-10-27 10:00',
      '2026-10-29 10:00',
      '2026-11-03 10:00',
      '2026-11-05 10:00',
    ]);
  });

  it('gives each occurrence a stable visit id of the API’s id form', () => {
    const a = occurrenceVisitId('fg_1', 'grt_1', '2026-10-25', '08:00', at('2026-10-25T07:00:00Z'));
    expect(a).toBe(occurrenceVisitId('fg_1', 'grt_1', '2026-10-25', '08:00', at('2026-10-25T07:00:00Z')));
    expect(a).not.toBe(occurrenceVisitId('fg_2', 'grt_1', '2026-10-25', '08:00', at('2026-10-25T07:00:00Z')));
    expect(a).toMatch(/^vis_[0-9A-HJKMNP-TV-Z]{26}$/);
  });
});
