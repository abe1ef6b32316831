import type { QuestionnaireDefinition } from './questionnaire.ts';

/**
 * The digital-readiness questionnaire the E-team ships with. It is published as version 1 the
 * first time a questionnaire is needed; a municipality adapts it by publishing a new version
 * (POST /questionnaires). The questions follow the domain brief: device use, seeing and hearing
 * a screen, connection at home, willingness, a relative who can help, cognitive and physical
 * barriers, plus what matters for medication technology.
 */
export const defaultQuestionnaire: QuestionnaireDefinition = {
  title: { da: 'Vurdering af digital parathed', en: 'Digital-readiness assessment' },
  questions: [
    {
      id: 'willing',
      type: 'yes_no',
      text: {
        da: 'Ønsker borgeren at modtage hjælp via skærm eller velfærdsteknologi?',
        en: 'Is the citizen willing to receive care by screen or welfare technology?',
      },
      required: true,
      role: 'blocker',
      blocksWhen: { anyOf: [false] },
    },
    {
      id: 'uses_device',
      type: 'yes_no',
      text: {
        da: 'Bruger borgeren en smartphone eller tablet i hverdagen?',
        en: 'Does the citizen use a smartphone or tablet in daily life?',
      },
      required: true,
      role: 'support',
      supportWhen: { anyOf: [false] },
    },
    {
      id: 'can_see_screen',
      type: 'yes_no',
      text: {
        da: 'Kan borgeren se en skærm tydeligt (evt. med briller)?',
        en: 'Can the citizen see a screen clearly (with glasses if needed)?',
      },
      required: true,
      role: 'blocker',
      blocksWhen: { anyOf: [false] },
    },
    {
      id: 'can_hear_screen',
      type: 'yes_no',
      text: {
        da: 'Kan borgeren høre lyden fra en skærm (evt. med høreapparat)?',
        en: 'Can the citizen hear the sound from a screen (with a hearing aid if needed)?',
      },
      required: true,
      role: 'blocker',
      blocksWhen: { anyOf: [false] },
    },
    {
      id: 'internet_at_home',
      type: 'choice',
      text: {
        da: 'Hvilken internetforbindelse er der i hjemmet?',
        en: 'What internet connection is there in the home?',
      },
      required: true,
      options: [
        { value: 'broadband', text: { da: 'Bredbånd', en: 'Broadband' } },
        { value: 'mobile_good', text: { da: 'God mobildækning', en: 'Good mobile coverage' } },
        {
          value: 'mobile_poor',
          text: { da: 'Svag eller ustabil mobildækning', en: 'Weak or unstable mobile coverage' },
        },
        { value: 'none', text: { da: 'Ingen forbindelse eller dækning', en: 'No connection or coverage' } },
      ],
      role: 'blocker',
      blocksWhen: { anyOf: ['none'] },
      supportWhen: { anyOf: ['mobile_poor'] },
    },
    {
      id: 'cognitive_barriers',
      type: 'scale',
      text: {
        da: 'Har borgeren kognitive udfordringer, der gør det svært at bruge en skærm (fx hukommelse, demens)?',
        en: 'Does the citizen have cognitive barriers to using a screen (e.g. memory, dementia)?',
      },
      required: true,
      options: [
        { value: 0, text: { da: 'Ingen', en: 'None' } },
        { value: 1, text: { da: 'Lette', en: 'Mild' } },
        { value: 2, text: { da: 'Moderate', en: 'Moderate' } },
        { value: 3, text: { da: 'Svære', en: 'Severe' } },
      ],
      role: 'blocker',
      blocksWhen: { atLeast: 3 },
      supportWhen: { atLeast: 1 },
      helperCanOvercome: true,
    },
    {
      id: 'physical_barriers',
      type: 'scale',
      text: {
        da: 'Har borgeren fysiske udfordringer, der gør det svært at betjene en tablet (fx nedsat håndfunktion, rysten)?',
        en: 'Does the citizen have physical barriers to operating a tablet (e.g. reduced hand function, tremor)?',
      },
      required: true,
      options: [
        { value: 0, text: { da: 'Ingen', en: 'None' } },
        { value: 1, text: { da: 'Lette', en: 'Mild' } },
        { value: 2, text: { da: 'Moderate', en: 'Moderate' } },
        { value: 3, text: { da: 'Svære', en: 'Severe' } },
      ],
      role: 'blocker',
      blocksWhen: { atLeast: 3 },
      supportWhen: { atLeast: 2 },
      helperCanOvercome: true,
    },
    {
      id: 'relative_can_help',
      type: 'yes_no',
      text: {
        da: 'Kan en pårørende eller en anden i netværket hjælpe med skærmen ved behov?',
        en: 'Can a relative or someone else close to the citizen help with the screen when needed?',
      },
      required: true,
      role: 'helper',
      helpsWhen: { anyOf: [true] },
    },
    {
      id: 'can_take_dispensed_medication',
      type: 'yes_no',
      text: {
        da: 'Kan borgeren selv tage medicinen, når en dispenser giver signal?',
        en: 'Can the citizen take the medication on their own when a dispenser signals?',
      },
      help: {
        da: 'Bruges når medicinhåndtering overvejes omlagt til medicinteknologi.',
        en: 'Used when medication handling is considered for medication technology.',
      },
      required: false,
      role: 'informational',
    },
    {
      id: 'notes',
      type: 'free_text',
      text: { da: 'Øvrige bemærkninger', en: 'Other remarks' },
      required: false,
      role: 'informational',
    },
  ],
};

/**
 * Answers to the shipped questionnaire that make a citizen ready for both screen visits and
 * medication technology: the starting point of the demo data, the simulator, the bench and the
 * tests, which vary single answers from it.
 */
export const answersReadyForBoth = {
  willing: true,
  uses_device: true,
  can_see_screen: true,
  can_hear_screen: true,
  internet_at_home: 'broadband',
  cognitive_barriers: 0,
  physical_barriers: 0,
  relative_can_help: true,
  can_take_dispensed_medication: true,
  notices_dispenser_signal: true,
  dispenser_handling_barriers: 0,
  medication_fits_dispenser: 'multidose',
  someone_present_at_dose_times: false,
} as const;
