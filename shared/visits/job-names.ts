/** The names of a visit's one-time jobs, apart from their code: the job list (./jobs.ts) names them without loading it. */
export const VISIT_REMINDER_JOB = 'visit-reminder';
export const VISIT_NO_SHOW_JOB = 'visit-no-show-check';
