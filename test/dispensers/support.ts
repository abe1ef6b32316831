import { randomInt } from 'node:crypto';
import { expect } from 'vitest';
import { readyAnswers } from '../care/care-helpers.ts';
import type { TestApp } from '../support/app.ts';

/** Workflow helpers for the dispenser tests: they speak HTTP like the staff app and the device. */
export interface DispenserWorld {
  assessor: string;
  staff: string;
  lead: string;
}

/** The assessor, the staff member and the lead of these tests, with their tokens from `t`. */
export async function dispenserWorld(t: Pick<TestApp, 'token'>): Promise<DispenserWorld> {
  return {
    assessor: await t.token('assessor', 'asr-1'),
    staff: await t.token('staff', 'stf-anna'),
    lead: await t.token('lead', 'lead-lis'),
  };
}

export function nationalId(): string {
  const day = String(randomInt(1, 28)).padStart(2, '0');
  const month = String(randomInt(1, 12)).padStart(2, '0');
  const year = String(randomInt(20, 60)).padStart(2, '0');
  return `${day}${month}${year}-${String(randomInt(0, 10_000)).padStart(4, '0')}`;
}

export async function registerCitizen(t: TestApp, assessor: string): Promise<string> {
  const res = await t.call('POST', '/citizens', {
    as: assessor,
    body: { nationalId: nationalId(), name: { given: 'Test', family: 'Borger' } },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.citizenId as string;
}

export async function registerDispenser(
  t: TestApp,
  staff: string,
  vendor = 'Evondos',
  model = 'E300',
): Promise<{ dispenserId: string; credential: string }> {
  const res = await t.call('POST', '/dispensers', {
    as: staff,
    body: { vendor, model, serial: `SN-${randomInt(1, 2 ** 40)}` },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { dispenserId: res.body.dispenser.dispenserId, credential: res.body.credential };
}

/** A citizen with a plan and a dispenser assigned: the usual starting point (the grant's approved medication line, then the plan). */
export async function citizenWithDispenser(
  t: TestApp,
  w: DispenserWorld,
  plan: { times: string[]; validFrom: string; onTimeMinutes?: number },
) {
  const { citizenId } = await citizenWithApprovedMedication(t, w, { times: plan.times, startDate: plan.validFrom });
  const planRes = await t.call('PUT', `/citizens/${citizenId}/dose-plan`, { as: w.staff, body: plan });
  expect(planRes.status, JSON.stringify(planRes.body)).toBe(200);
  const device = await registerDispenser(t, w.staff);
  const assign = await t.call('PUT', `/dispensers/${device.dispenserId}/assignment`, {
    as: w.staff,
    body: { citizenId, status: 'active' },
  });
  expect(assign.status, JSON.stringify(assign.body)).toBe(200);
  return { citizenId, ...device };
}

export function postEvents(
  t: TestApp,
  device: { dispenserId: string; credential: string },
  events: unknown[],
  credential = device.credential,
) {
  return t.call('POST', `/dispensers/${device.dispenserId}/events`, {
    headers: { authorization: `Bearer ${credential}` },
    body: { events },
  });
}

let seq = 0;
export const eventId = (label: string) => `${label}-${++seq}-${randomInt(1, 2 ** 40)}`;

/** …and the proposal approved by the lead: a dispenser may be active. The approval sets the dose plan from the grant. */
export async function citizenWithApprovedMedication(
  t: TestApp,
  w: DispenserWorld,
  grant?: { times: string[]; startDate: string },
) {
  const proposed = await citizenWithMedicationProposal(t, w, grant);
  const approved = await t.call('POST', `/conversions/${proposed.conversionId}/approve`, { as: w.lead, body: {} });
  expect(approved.status, approved.text).toBe(201);
  return proposed;
}

/** A citizen assessed ready, with medication handling granted and proposed for a dispenser: a dispenser may go on trial. */
export async function citizenWithMedicationProposal(
  t: TestApp,
  w: Pick<DispenserWorld, 'assessor' | 'staff'>,
  medication: { times: string[]; startDate: string } = { times: ['08:00', '20:00'], startDate: '2026-01-01' },
): Promise<{ citizenId: string; grantId: string; conversionId: string }> {
  const citizenId = await registerCitizen(t, w.assessor);
  const assessed = await t.call('POST', `/citizens/${citizenId}/assessments`, {
    as: w.assessor,
    body: { answers: readyAnswers },
  });
  expect(assessed.status, assessed.text).toBe(201);
  const grant = await t.call('POST', `/citizens/${citizenId}/grants`, {
    as: w.assessor,
    body: {
      paragraph: 'SUL-138',
      service: 'medication_handling',
      frequency: { per: 'day', times: medication.times.length, timesOfDay: medication.times },
      minutesPerOccurrence: 10,
      startDate: medication.startDate,
    },
  });
  expect(grant.status, grant.text).toBe(201);
  const proposal = await t.call('POST', `/citizens/${citizenId}/conversions`, {
    as: w.staff,
    body: {
      reason: 'A dispenser on trial.',
      splits: [
        { grantId: grant.body.grantId, physical: 0, screenVisit: 0, medicationTechnology: medication.times.length },
      ],
    },
  });
  expect(proposal.status, proposal.text).toBe(201);
  return { citizenId, grantId: grant.body.grantId, conversionId: proposal.body.conversionId };
}
