import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkEvents } from './ingest.ts';
import { deviceEventBatchEnvelopeSchema, deviceEventTypes, doseEventTypes, FUTURE_TOLERANCE_MINUTES } from './model.ts';

/**
 * What a dispenser posts is checked event by event before anything is stored: whatever arrives,
 * each event is either a candidate to store or rejected with its index, and the check never throws.
 */
const NOW = new Date('2026-11-20T09:00:00Z');
const RETENTION_DAYS = 400;

const isoWithOffset = fc
  .record({
    at: fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2027, 11, 31) }),
    offsetHours: fc.integer({ min: -12, max: 14 }),
  })
  .map(({ at, offsetHours }) => {
    const local = new Date(at + offsetHours * 3_600_000).toISOString().slice(0, 19);
    const sign = offsetHours < 0 ? '-' : '+';
    return offsetHours === 0 ? `${local}Z` : `${local}${sign}${String(Math.abs(offsetHours)).padStart(2, '0')}:00`;
  });

const wellFormedEvent = fc
  .record({
    eventId: fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/),
    type: fc.constantFrom(...deviceEventTypes),
    occurredAt: isoWithOffset,
    scheduledFor: fc.option(isoWithOffset, { nil: undefined }),
    // A `__proto__` key is not kept as sent (object rebuilding drops it, as it should): not a well-formed detail.
    details: fc.option(
      fc.dictionary(
        fc.string({ maxLength: 40 }).filter((k) => k !== '__proto__'),
        fc.oneof(fc.string({ maxLength: 200 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean()),
        { maxKeys: 20 },
      ),
      { nil: undefined },
    ),
  })
  .map((e) => Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)));

/** Anything a buggy or hostile device could put in the array. */
const anything = fc.oneof(
  wellFormedEvent,
  fc.anything(),
  fc.jsonValue(),
  wellFormedEvent.chain((e) => fc.record({ ...Object.fromEntries(Object.keys(e).map((k) => [k, fc.anything()])) })),
);

describe('a device’s batch, checked event by event', () => {
  it('sorts every event into stored or rejected, by its own index, and never throws', () => {
    fc.assert(
      fc.property(fc.array(anything, { maxLength: 30 }), (raw) => {
        const { candidates, rejected } = checkEvents(raw, NOW, RETENTION_DAYS);
        const indexes = [...candidates.map((c) => c.index), ...rejected.map((r) => r.index)].sort((a, b) => a - b);
        expect(indexes).toEqual(raw.map((_, i) => i));
        for (const r of rejected) {
          expect(r.errors.length).toBeGreaterThan(0);
          for (const e of r.errors) expect(e.field.startsWith(`events/${r.index}`)).toBe(true);
          if (r.eventId !== undefined) expect(r.eventId.length).toBeLessThanOrEqual(128);
        }
      }),
    );
  });

  it('stores only events with a real instant inside the accepted window', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(wellFormedEvent, anything), { maxLength: 30 }), (raw) => {
        for (const c of checkEvents(raw, NOW, RETENTION_DAYS).candidates) {
          expect(Number.isFinite(c.occurredAt.getTime())).toBe(true);
          expect(c.occurredAt.getTime()).toBeLessThanOrEqual(NOW.getTime() + FUTURE_TOLERANCE_MINUTES * 60_000);
          expect(c.occurredAt.getTime()).toBeGreaterThanOrEqual(NOW.getTime() - RETENTION_DAYS * 86_400_000);
          if (c.event.scheduledFor !== undefined) {
            expect(doseEventTypes as readonly string[]).toContain(c.event.type);
            expect(Number.isFinite(Date.parse(c.event.scheduledFor))).toBe(true);
          }
        }
      }),
    );
  });

  it('accepts every well-formed event inside the window as it was sent', () => {
    fc.assert(
      fc.property(wellFormedEvent, (event) => {
        const { candidates, rejected } = checkEvents([event], NOW, RETENTION_DAYS);
        const at = Date.parse(String(event.occurredAt));
        const inWindow =
          at <= NOW.getTime() + FUTURE_TOLERANCE_MINUTES * 60_000 && at >= NOW.getTime() - RETENTION_DAYS * 86_400_000;
        const doseOnly =
          event.scheduledFor === undefined || (doseEventTypes as readonly string[]).includes(String(event.type));
        if (inWindow && doseOnly) expect(candidates.map((c) => c.event)).toEqual([event]);
        else expect(rejected).toHaveLength(1);
      }),
    );
  });

  it('reads the envelope of any body without throwing', () => {
    fc.assert(fc.property(fc.anything(), (body) => void deviceEventBatchEnvelopeSchema.safeParse(body)));
  });
});
