import { defaultQuestionnaire } from './default-questionnaire.ts';
import type { Question, QuestionnaireDefinition } from './questionnaire.ts';

/**
 * The second shipped questionnaire: readiness per technology. The authority judges whether the
 * citizen *can use* screen visits and medication technology; the E-team then decides per
 * benefit. Willingness is no longer a bar: an unwilling citizen is a motivation task for the
 * E-team. What a dispenser needs is asked for: taking the dose on the signal, noticing the
 * signal, handling the device, and whether the medication fits a dispenser at all.
 */
const first = new Map(defaultQuestionnaire.questions.map((q) => [q.id, q]));
const reuse = (id: string, change: Partial<Question>): Question => {
  const q = first.get(id);
  if (!q) throw new Error(`the first questionnaire has no question ${id}`);
  return { ...q, ...change };
};
const noneToSevere = [
  { value: 0, text: { da: 'Ingen', en: 'None' } },
  { value: 1, text: { da: 'Lette', en: 'Mild' } },
  { value: 2, text: { da: 'Moderate', en: 'Moderate' } },
  { value: 3, text: { da: 'Svære', en: 'Severe' } },
];

export const perTechnologyQuestionnaire: QuestionnaireDefinition = {
  title: {
    da: 'Vurdering af digital parathed (skærm og medicinteknologi)',
    en: 'Digital-readiness assessment (screen and medication technology)',
  },
  questions: [
    {
      id: 'willing',
      type: 'yes_no',
      text: {
        da: 'Ønsker borgeren at modtage hjælp via skærm eller velfærdsteknologi?',
        en: 'Is the citizen willing to receive care by screen or welfare technology?',
      },
      help: {
        da: 'Et nej er ikke en hindring: E-team motiverer borgeren.',
        en: 'A no is not a bar: the E-team motivates the citizen.',
      },
      required: true,
      role: 'motivation',
      motivationWhen: { anyOf: [false] },
    },
    reuse('uses_device', { technologies: ['screen'] }),
    reuse('can_see_screen', { technologies: ['screen'] }),
    reuse('can_hear_screen', { technologies: ['screen'] }),
    // A dispenser reports doses over the network too: no connection rules out both.
    reuse('internet_at_home', {}),
    reuse('cognitive_barriers', {}),
    reuse('physical_barriers', { technologies: ['screen'] }),
    reuse('relative_can_help', { technologies: ['screen'] }),
    {
      id: 'can_take_dispensed_medication',
      type: 'yes_no',
      text: {
        da: 'Kan borgeren selv tage medicinen, når en dispenser giver signal?',
        en: 'Can the citizen take the medication on their own when a dispenser signals?',
      },
      required: true,
      role: 'blocker',
      technologies: ['medicationTechnology'],
      blocksWhen: { anyOf: [false] },
      helperCanOvercome: true,
    },
    {
      id: 'notices_dispenser_signal',
      type: 'yes_no',
      text: {
        da: 'Kan borgeren høre eller se dispenserens signal (lyd, lys)?',
        en: 'Can the citizen hear or see the dispenser’s signal (sound, light)?',
      },
      required: true,
      role: 'blocker',
      technologies: ['medicationTechnology'],
      blocksWhen: { anyOf: [false] },
      helperCanOvercome: true,
    },
    {
      id: 'dispenser_handling_barriers',
      type: 'scale',
      text: {
        da: 'Har borgeren svært ved at betjene en dispenser (trykke på knappen, tage bægeret ud)?',
        en: 'Does the citizen have trouble operating a dispenser (pressing the button, taking out the cup)?',
      },
      required: true,
      options: noneToSevere,
      role: 'blocker',
      technologies: ['medicationTechnology'],
      blocksWhen: { atLeast: 3 },
      supportWhen: { atLeast: 2 },
      helperCanOvercome: true,
    },
    {
      id: 'medication_fits_dispenser',
      type: 'choice',
      text: {
        da: 'Egner borgerens medicin sig til en dispenser?',
        en: 'Does the citizen’s medication suit a dispenser?',
      },
      help: {
        da: 'Dosisdispenseret medicin passer; flydende medicin, injektioner eller ofte skiftende doser gør ikke.',
        en: 'Multidose packs fit; liquids, injections or frequently changing doses do not.',
      },
      required: true,
      options: [
        { value: 'multidose', text: { da: 'Ja, dosisdispenseret', en: 'Yes, multidose packs' } },
        {
          value: 'needs_adjustment',
          text: { da: 'Efter tilpasning med lægen', en: 'After adjusting it with the doctor' },
        },
        { value: 'unsuitable', text: { da: 'Nej', en: 'No' } },
      ],
      role: 'blocker',
      technologies: ['medicationTechnology'],
      blocksWhen: { anyOf: ['unsuitable'] },
      supportWhen: { anyOf: ['needs_adjustment'] },
    },
    {
      id: 'someone_present_at_dose_times',
      type: 'yes_no',
      text: {
        da: 'Er en pårørende eller anden til stede ved doseringstiderne, hvis der er brug for hjælp?',
        en: 'Is a relative or someone else present at dose times when help is needed?',
      },
      required: true,
      role: 'helper',
      technologies: ['medicationTechnology'],
      helpsWhen: { anyOf: [true] },
    },
    reuse('notes', {}),
  ],
};

/**
 * The questionnaires the E-team ships, in order: version 1 (one decision for every technology)
 * and version 2 (readiness per technology). While a municipality has published none of its own,
 * the next shipped one is published as the next version the first time a questionnaire is
 * needed; a municipality that published its own keeps it.
 */
export const shippedQuestionnaires: readonly QuestionnaireDefinition[] = [
  defaultQuestionnaire,
  perTechnologyQuestionnaire,
];
