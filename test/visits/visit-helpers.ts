import type { TestApp } from '../support/app.ts';
import { registerCitizen, uniqueNationalId } from '../care/care-helpers.ts';

/** The people of team east (and one lead of team west) as the visit tests speak to the API. */
export interface VisitActors {
  anna: string;
  bo: string;
  lead: string;
  assessor: string;
  westLead: string;
  westStaff: string;
}

/** Staff are in their team's directory before anyone schedules them: the admins register them. */
export async function registerStaff(t: TestApp, team: string, ...staffIds: string[]): Promise<void> {
  const admin = await t.token('admin', `adm-${team}`, team);
  for (const staffId of staffIds) {
    const res = await t.call('POST', `/teams/${team}/staff`, { as: admin, body: { staffId } });
    if (res.status !== 201 && res.body?.reason !== 'staff-registered')
      throw new Error(`staff registration failed: ${res.status} ${res.text}`);
  }
}

export async function visitActors(t: TestApp): Promise<VisitActors> {
  await registerStaff(t, 'east', 'stf-anna', 'stf-bo', 'lead-lis');
  await registerStaff(t, 'west', 'stf-wes', 'lead-west');
  return {
    anna: await t.token('staff', 'stf-anna', 'east'),
    bo: await t.token('staff', 'stf-bo', 'east'),
    lead: await t.token('lead', 'lead-lis', 'east'),
    assessor: await t.token('assessor', 'asr-east', 'east'),
    westLead: await t.token('lead', 'lead-west', 'west'),
    westStaff: await t.token('staff', 'stf-wes', 'west'),
  };
}

const weekdays = [1, 2, 3, 4, 5];

/** Anna: weekdays 08:00–12:00 and an evening 17:00–21:00, Sunday 09:00–13:00. */
export const annasWeek = {
  weekly: [
    ...weekdays.flatMap((weekday) => [
      { weekday, start: '08:00', end: '12:00' },
      { weekday, start: '17:00', end: '21:00' },
    ]),
    { weekday: 7, start: '09:00', end: '13:00' },
  ],
  exceptions: [],
};

/** Bo: every day 07:00–16:00. */
export const bosWeek = {
  weekly: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '07:00', end: '16:00' })),
  exceptions: [],
};

export async function setAvailability(t: TestApp, as: string, staffId: string, body: unknown): Promise<void> {
  const res = await t.call('PUT', `/staff/${staffId}/availability`, { as, body });
  if (res.status !== 200) throw new Error(`availability failed: ${res.status} ${res.text}`);
}

export async function newCitizen(t: TestApp, as: string, given = 'Karen'): Promise<string> {
  return registerCitizen(t, as, { given, family: 'Sørensen' }, uniqueNationalId());
}

export const purpose = { grantId: 'grt_01KAQ3Y5B7D9F1H3K5M7P9R1T3', service: 'support_conversation' };

export async function book(
  t: TestApp,
  as: string,
  body: { citizenId: string; staffId: string; start: string; durationMinutes?: number },
): Promise<any> {
  const res = await t.call('POST', '/visits', { as, body: { durationMinutes: 20, purpose, ...body } });
  if (res.status !== 201) throw new Error(`booking failed: ${res.status} ${res.text}`);
  return res.body;
}
