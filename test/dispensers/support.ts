import { randomInt } from 'node:crypto';
import { expect } from 'vitest';
import type { TestApp } from '../support/app.ts';

/** Workflow helpers for the dispenser tests: they speak HTTP like the staff app and the device. */
export interface DispenserWorld {
  assessor: string;
  staff: string;
  lead: string;
}

export function nationalId(): string {
  const day = String(randomInt(1, 28)).padStart(2, '0');
  const month = String(randomInt(1, 12)).padStart(2, '0');
  const year = String(randomInt(20, 60)).padStart(2, '0');
  return `${day}${month}${year}-${String(randomInt(0, 10_000)).padStart(4, '0')}`;
}

export async function registerCitizen(t: TestApp, assessor: string): Promise<string> {
  const res = await t.call('POST', '/citizens', { as: assessor, body: { nationalId: nationalId(), name: { given: 'Test', family: 'Borger' } } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.citizenId as string;
}

export async function registerDispenser(t: TestApp, staff: string, vendor = 'Evondos', model = 'E300'): Promise<{ dispenserId: string; credential: string }> {
  const res = await t.call('POST', '/dispensers', { as: staff, body: { vendor, model, serial: `SN-${randomInt(1, 2 ** 40)}` } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { dispenserId: res.body.dispenser.dispenserId, credential: res.body.credential };
}

/** A citizen with a plan and a dispenser assigned: the usual starting point. */
export async function citizenWithDispenser(t: TestApp, w: DispenserWorld, plan: { times: string[]; validFrom: string; onTimeMinutes?: number }) {
  const citizenId = await registerCitizen(t, w.assessor);
  const planRes = await t.call('PUT', `/citizens/${citizenId}/dose-plan`, { as: w.staff, body: plan });
  expect(planRes.status, JSON.stringify(planRes.body)).toBe(200);
  const device = await registerDispenser(t, w.staff);
  const assign = await t.call('PUT', `/dispensers/${device.dispenserId}/assignment`, { as: w.staff, body: { citizenId, status: 'active' } });
  expect(assign.status, JSON.stringify(assign.body)).toBe(200);
  return { citizenId, ...device };
}

export function postEvents(t: TestApp, device: { dispenserId: string; credential: string }, events: unknown[], credential = device.credential) {
  return t.call('POST', `/dispensers/${device.dispenserId}/events`, { headers: { authorization: `Bearer ${credential}` }, body: { events } });
}

let seq = 0;
export const eventId = (label: string) => `${label}-${++seq}-${randomInt(1, 2 ** 40)}`;
