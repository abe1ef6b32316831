/**
 * Every key of the one table is built here and nowhere else. docs/table-design.md lists each
 * entity and access pattern next to the function that builds its key.
 *
 * Conventions: `pk`/`sk` address the item; `gsiNpk`/`gsiNsk` place it in an index. Entities
 * that a route addresses by their own id (conversion, visit, dispenser, alert) live under their
 * own partition and are listed through an index. Ids are ULID-based, so sort keys built from
 * them sort by creation time. Times in sort keys are UTC ISO-8601 (`2026-11-23T08:00:00.000Z`),
 * which sort lexically in time order.
 */

const pad = (n: number, width: number) => String(n).padStart(width, '0');

// ── Citizens ────────────────────────────────────────────────────────────────────────────────
export const citizenKeys = {
  profile: (citizenId: string) => ({ pk: `CITIZEN#${citizenId}`, sk: 'PROFILE' }),
  /** gsi1: a team's citizens by normalised name (search by name prefix, list all). */
  byTeamName: (team: string, normalisedName: string, citizenId: string) => ({
    gsi1pk: `TEAM#${team}#CITIZENS`,
    gsi1sk: `${normalisedName}#${citizenId}`,
  }),
  teamPartition: (team: string) => `TEAM#${team}#CITIZENS`,
  /** Uniqueness claim and lookup of a national id, by its peppered hash (never the id in clear). */
  nationalId: (nationalIdHash: string) => ({ pk: `NATIONALID#${nationalIdHash}`, sk: 'NATIONALID' }),
};

// ── Audit ───────────────────────────────────────────────────────────────────────────────────
export const auditKeys = {
  /** One partition per citizen: "who looked at me" (Min Log) is one Query. */
  record: (citizenId: string, atIso: string, auditId: string) => ({ pk: `AUDIT#${citizenId}`, sk: `${atIso}#${auditId}` }),
  citizenPartition: (citizenId: string) => `AUDIT#${citizenId}`,
  /** gsi1: everything one subject did, in time order. */
  byActor: (sub: string, atIso: string, auditId: string) => ({ gsi1pk: `AUDIT#ACTOR#${sub}`, gsi1sk: `${atIso}#${auditId}` }),
  actorPartition: (sub: string) => `AUDIT#ACTOR#${sub}`,
};

export const timeKey = {
  /** Sort-key bounds for an ISO time range, inclusive of `from` and exclusive-ish of `to`. */
  range: (fromIso: string, toIso: string): readonly [string, string] => [fromIso, `${toIso}\uffff`],
  pad,
};

// ── Local demo ──────────────────────────────────────────────────────────────────────────────
export const demoKeys = {
  /** Written once the demo data of `npm start` is loaded. */
  marker: () => ({ pk: 'DEMO', sk: 'SEEDED' }),
};
