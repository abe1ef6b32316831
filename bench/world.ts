import { DateTime } from 'luxon';
import { answersReadyForBoth } from '#shared/assessment/default-questionnaire.ts';
import { expectStatus } from './client.ts';
import type { BenchStack } from './stack.ts';

/**
 * The people and devices the benchmark works with, made through the real API (never written to
 * the table behind its back), so every item has the shape the routes write.
 */
export const TEAM = 'bench';
export const STAFF_ID = 'stf-bench-anna';
export const DOSE_TIMES = ['08:00', '12:00', '17:00', '21:00'];

export interface Tokens {
  assessor: string;
  staff: string;
  lead: string;
  admin: string;
  citizen(citizenId: string): Promise<string>;
}

export async function tokensFor(stack: BenchStack): Promise<Tokens> {
  return {
    assessor: await stack.token('assessor', 'asr-bench-bo', TEAM),
    staff: await stack.token('staff', STAFF_ID, TEAM),
    lead: await stack.token('lead', 'lead-bench-lis', TEAM),
    admin: await stack.token('admin', 'adm-bench', TEAM),
    citizen: (citizenId) => stack.token('citizen', citizenId, TEAM),
  };
}

let serial = 0;
/** A national id of the right shape, unique in this run (the check digit rule was dropped in 2007). */
export function nextNationalId(): string {
  serial += 1;
  const day = String((serial % 28) + 1).padStart(2, '0');
  const month = String((Math.floor(serial / 28) % 12) + 1).padStart(2, '0');
  return `${day}${month}45-${String(1000 + serial).slice(-4)}`;
}

export function localDate(offsetDays: number, zone: string): string {
  return DateTime.now().setZone(zone).plus({ days: offsetDays }).toISODate() ?? '';
}

export async function registerCitizen(stack: BenchStack, tokens: Tokens, family: string): Promise<string> {
  const res = await expectStatus(stack, 201, 'POST', '/citizens', {
    token: tokens.assessor,
    body: { nationalId: nextNationalId(), name: { given: 'Bench', family } },
  });
  return res.body.citizenId as string;
}

export interface Device {
  citizenId: string;
  dispenserId: string;
  credential: string;
}

const READY_ANSWERS = answersReadyForBoth;

/**
 * A citizen with a dose plan of four times a day (from `planFrom`, the first plan) and a dispenser
 * assigned (active) for the approved medication-technology line of the final grant: a dispenser
 * is only in use when the grant knows of it.
 */
export async function equipCitizen(
  stack: BenchStack,
  tokens: Tokens,
  citizenId: string,
  options: { planFrom: string },
): Promise<Device> {
  await expectStatus(stack, 200, 'PUT', '/citizens/{citizenId}/dose-plan', {
    token: tokens.staff,
    params: { citizenId },
    body: { times: DOSE_TIMES, validFrom: options.planFrom },
  });
  await expectStatus(stack, 201, 'POST', '/citizens/{citizenId}/assessments', {
    token: tokens.assessor,
    params: { citizenId },
    body: { answers: READY_ANSWERS },
  });
  const grant = await expectStatus(stack, 201, 'POST', '/citizens/{citizenId}/grants', {
    token: tokens.assessor,
    params: { citizenId },
    body: {
      paragraph: 'SUL-138',
      service: 'medication_handling',
      frequency: { per: 'day', times: DOSE_TIMES.length, timesOfDay: DOSE_TIMES },
      minutesPerOccurrence: 10,
      startDate: options.planFrom,
    },
  });
  const conversion = await expectStatus(stack, 201, 'POST', '/citizens/{citizenId}/conversions', {
    token: tokens.staff,
    params: { citizenId },
    body: {
      reason: 'Medication by dispenser.',
      splits: [{ grantId: grant.body.grantId, physical: 0, screenVisit: 0, medicationTechnology: DOSE_TIMES.length }],
    },
  });
  await expectStatus(stack, 201, 'POST', '/conversions/{conversionId}/approve', {
    token: tokens.lead,
    params: { conversionId: conversion.body.conversionId },
    body: {},
  });
  // The approval's consumer sets the dose plan from the stream; assigning meanwhile would race it (409).
  await stack.drainStream();
  const registered = await expectStatus(stack, 201, 'POST', '/dispensers', {
    token: tokens.staff,
    body: { vendor: 'Evondos', model: 'E300', serial: `EV-BENCH-${citizenId.slice(-10)}` },
  });
  const dispenserId = registered.body.dispenser.dispenserId as string;
  await expectStatus(stack, 200, 'PUT', '/dispensers/{dispenserId}/assignment', {
    token: tokens.staff,
    params: { dispenserId },
    body: { citizenId, status: 'active' },
  });
  return { citizenId, dispenserId, credential: registered.body.credential as string };
}

export async function postEvents(stack: BenchStack, device: Device, events: unknown[]): Promise<{ accepted: number }> {
  const res = await expectStatus(stack, 202, 'POST', '/dispensers/{dispenserId}/events', {
    headers: { authorization: `Bearer ${device.credential}` },
    params: { dispenserId: device.dispenserId },
    body: { events },
  });
  return res.body as { accepted: number };
}
