import { DateTime } from 'luxon';
import { currentQuestionnaire, recordAssessment } from '#shared/assessment/assessments.ts';
import { answersReadyForBoth } from '#shared/assessment/default-questionnaire.ts';
import { registerCitizen } from '#shared/citizens/citizens.ts';
import { approveConversion, proposeConversion } from '#shared/conversion/conversions.ts';
import { grantsAndProfileOf, recordGrant } from '#shared/conversion/grants.ts';
import type { Role } from '#shared/platform/actor.ts';
import type { RequestContext } from '#shared/platform/context.ts';
import type { DemoData, DemoStep } from './seed.ts';

const listGrantsOf = async (deps: Parameters<typeof grantsAndProfileOf>[0], citizenId: string) =>
  (await grantsAndProfileOf(deps, citizenId)).grants;

type SeedDeps = Parameters<typeof grantsAndProfileOf>[0];

/** Who does what in the demo: the people of the demo team, at the seed's one instant. */
interface Cast {
  readonly as: (role: Role, sub: string) => RequestContext;
  readonly assessor: RequestContext;
  readonly questionnaireVersion: number;
  /** The grants start two months back, so reports and adherence have history. */
  readonly startDate: string;
}

type GrantInput = Parameters<typeof recordGrant>[3];
type Frequency = GrantInput['frequency'];
const daily = (timesOfDay: string[]): Frequency => ({ per: 'day', times: timesOfDay.length, timesOfDay });

/** Karen: assessed ready, four grants, and an approved final grant (screen visits and a dispenser). */
async function seedKaren(deps: SeedDeps, demo: DemoData, cast: Cast): Promise<void> {
  const { assessor, startDate } = cast;
  const karen = await registerCitizen(deps, assessor, {
    nationalId: '120339-1118',
    name: { given: 'Karen', family: 'Sørensen' },
    preferredLanguage: 'da',
  });
  await recordAssessment(deps, assessor, karen.citizenId, {
    questionnaireVersion: cast.questionnaireVersion,
    answers: { ...answersReadyForBoth, notes: 'Bruger iPad dagligt.' },
  });
  const grant = (
    paragraph: GrantInput['paragraph'],
    service: GrantInput['service'],
    frequency: Frequency,
    minutesPerOccurrence: number,
  ) => recordGrant(deps, assessor, karen.citizenId, { paragraph, service, frequency, minutesPerOccurrence, startDate });
  const medication = await grant('SUL-138', 'medication_handling', daily(['08:00', '14:00', '20:00']), 10);
  const safety = await grant('SEL-83', 'safety_check', daily(['21:00']), 10);
  const help = await grant('SEL-83', 'practical_help', { per: 'week', times: 1, weekdays: [3] }, 60);
  const conversation = await grant(
    'SEL-85',
    'support_conversation',
    { per: 'week', times: 2, weekdays: [2, 4], timesOfDay: ['10:00'] },
    30,
  );
  const conversion = await proposeConversion(deps, cast.as('staff', 'stf-anna'), karen.citizenId, {
    reason:
      'Morgen- og aftenmedicin fra dispenser, frokostmedicin og aftentilsyn på skærm; rengøring forbliver fysisk.',
    splits: [
      {
        grantId: medication.grantId,
        physical: 0,
        screenVisit: 1,
        medicationTechnology: 2,
        screenVisitTimes: ['14:00'],
        medicationTechnologyTimes: ['08:00', '20:00'],
      },
      { grantId: safety.grantId, physical: 0, screenVisit: 1, medicationTechnology: 0 },
      { grantId: help.grantId, physical: 1, screenVisit: 0, medicationTechnology: 0 },
      { grantId: conversation.grantId, physical: 0, screenVisit: 2, medicationTechnology: 0 },
    ],
  });
  const finalGrant = await approveConversion(deps, cast.as('lead', 'lead-demo'), conversion.conversionId, {
    note: 'Aftalt med borger og datter.',
  });
  demo.ids.citizen = karen.citizenId;
  demo.ids.finalGrant = finalGrant.finalGrantId;
}

/** Poul: ready with support; his dispenser goes on trial for a proposed medication-technology line. */
async function seedPoul(deps: SeedDeps, demo: DemoData, cast: Cast): Promise<void> {
  const { assessor, startDate } = cast;
  const poul = await registerCitizen(deps, assessor, {
    nationalId: '050442-2223',
    name: { given: 'Poul', family: 'Ærø' },
    preferredLanguage: 'da',
  });
  await recordAssessment(deps, assessor, poul.citizenId, {
    questionnaireVersion: cast.questionnaireVersion,
    answers: { ...answersReadyForBoth, uses_device: false, internet_at_home: 'mobile_poor' },
  });
  await recordGrant(deps, assessor, poul.citizenId, {
    paragraph: 'SEL-83a',
    service: 'rehabilitation_training',
    frequency: { per: 'week', times: 2, weekdays: [1, 4] },
    minutesPerOccurrence: 45,
    startDate,
  });
  // The trial belongs to the grant.
  const poulMedication = await recordGrant(deps, assessor, poul.citizenId, {
    paragraph: 'SUL-138',
    service: 'medication_handling',
    frequency: daily(['09:00', '21:00']),
    minutesPerOccurrence: 10,
    startDate,
  });
  const rehabilitation = (await listGrantsOf(deps, poul.citizenId)).find(
    (g) => g.service === 'rehabilitation_training',
  );
  await proposeConversion(deps, cast.as('staff', 'stf-anna'), poul.citizenId, {
    reason: 'Try a dispenser for the medication; rehabilitation stays physical.',
    splits: [
      { grantId: poulMedication.grantId, physical: 0, screenVisit: 0, medicationTechnology: 2 },
      ...(rehabilitation
        ? [{ grantId: rehabilitation.grantId, physical: 2, screenVisit: 0, medicationTechnology: 0 }]
        : []),
    ],
  });
  demo.ids.citizenReadyWithSupport = poul.citizenId;
}

/** Bent: assessed, not ready (cannot see the screen; his medication does not fit a dispenser). */
async function seedBent(deps: SeedDeps, demo: DemoData, cast: Cast): Promise<void> {
  const bent = await registerCitizen(deps, cast.assessor, {
    nationalId: '230836-3335',
    name: { given: 'Bent', family: 'Lund' },
    preferredLanguage: 'en',
  });
  await recordAssessment(deps, cast.assessor, bent.citizenId, {
    questionnaireVersion: cast.questionnaireVersion,
    answers: { ...answersReadyForBoth, can_see_screen: false, medication_fits_dispenser: 'unsuitable' },
  });
  demo.ids.citizenNotReady = bent.citizenId;
}

/**
 * Demo data of the care capability: the default questionnaire as version 1 and three citizens
 * of the demo team — one assessed ready with four grants and an approved final grant (screen
 * visits and a dispenser), one ready with support, one not ready. National ids are made up.
 */
/** The care step of the demo data. */
export const careDemo: DemoStep = async (deps, demo: DemoData) => {
  const now = deps.clock.now();
  const as = (role: Role, sub: string): RequestContext => ({
    actor: { kind: 'user', sub, roles: [role], team: demo.team },
    requestId: 'demo-seed',
    now,
  });
  const questionnaire = await currentQuestionnaire(deps);
  demo.ids.questionnaireVersion = String(questionnaire.version);
  const cast: Cast = {
    as,
    assessor: as('assessor', 'asr-demo'),
    questionnaireVersion: questionnaire.version,
    startDate:
      DateTime.fromJSDate(now, { zone: deps.config.TIME_ZONE }).minus({ months: 2 }).toISODate() ?? '2026-01-01',
  };
  await seedKaren(deps, demo, cast);
  await seedPoul(deps, demo, cast);
  await seedBent(deps, demo, cast);
};
