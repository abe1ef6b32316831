import { answersReadyForBoth } from '#shared/assessment/default-questionnaire.ts';
import type { TestApp } from '../support/app.ts';

/** How an assessor, staff member and lead of one team talk to the API in the care tests. */
export interface CareActors {
  assessor: string;
  staff: string;
  lead: string;
  admin: string;
}

export async function careActors(t: TestApp, team = 'east'): Promise<CareActors> {
  return {
    assessor: await t.token('assessor', `asr-${team}`, team),
    staff: await t.token('staff', `stf-${team}`, team),
    lead: await t.token('lead', `lead-${team}`, team),
    admin: await t.token('admin', `adm-${team}`, team),
  };
}

let serial = 0;

/** A valid-shaped CPR number no other test in the file uses: DDMMYY-SSSS. */
export function uniqueNationalId(): string {
  serial += 1;
  const day = String((serial % 28) + 1).padStart(2, '0');
  const month = String((Math.floor(serial / 28) % 12) + 1).padStart(2, '0');
  return `${day}${month}45-${String(1000 + serial).slice(-4)}`;
}

export const readyAnswers = answersReadyForBoth;

/** No connection at home: ready for neither screen visits nor a dispenser. */
export const notReadyAnswers = { ...readyAnswers, internet_at_home: 'none' };

export async function registerCitizen(
  t: TestApp,
  as: string,
  name = { given: 'Karen', family: 'Sørensen' },
  nationalId = uniqueNationalId(),
): Promise<string> {
  const res = await t.call('POST', '/citizens', { as, body: { nationalId, name } });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text}`);
  return res.body.citizenId as string;
}

export async function assess(
  t: TestApp,
  as: string,
  citizenId: string,
  answers: Record<string, unknown>,
): Promise<any> {
  const res = await t.call('POST', `/citizens/${citizenId}/assessments`, { as, body: { answers } });
  if (res.status !== 201) throw new Error(`assessment failed: ${res.status} ${res.text}`);
  return res.body;
}

export async function grant(t: TestApp, as: string, citizenId: string, body: Record<string, unknown>): Promise<any> {
  const res = await t.call('POST', `/citizens/${citizenId}/grants`, { as, body });
  if (res.status !== 201) throw new Error(`grant failed: ${res.status} ${res.text}`);
  return res.body;
}

export const medicationThreeTimesADay = {
  paragraph: 'SUL-138',
  service: 'medication_handling',
  frequency: { per: 'day', times: 3, timesOfDay: ['08:00', '14:00', '20:00'] },
  minutesPerOccurrence: 10,
  startDate: '2026-01-01',
};

export const practicalHelpWeekly = {
  paragraph: 'SEL-83',
  service: 'practical_help',
  frequency: { per: 'week', times: 1, weekdays: [3] },
  minutesPerOccurrence: 60,
  startDate: '2026-01-01',
};

export const supportConversationTwiceAWeek = {
  paragraph: 'SEL-85',
  service: 'support_conversation',
  frequency: { per: 'week', times: 2, weekdays: [2, 4], timesOfDay: ['10:00'] },
  minutesPerOccurrence: 30,
  startDate: '2026-01-01',
  endDate: '2026-12-31',
};
