import type { Deps } from '#shared/platform/deps.ts';
import { assessmentsPage, summaryOnProfile } from './assessment-store.ts';
import { summaryOf, type Assessment, type AssessmentSummary } from './model.ts';

/**
 * A citizen's latest assessment, for the capabilities that act on it (conversion, the dispenser
 * trial). Apart from assessments.ts, which records assessments against the questionnaires, so that
 * reading the outcome does not load the questionnaires and their rules.
 */
export { latestAssessmentUnchanged } from './assessment-store.ts';

/** The assessment that counts: the latest. Callers audit their own reads. */
async function latestAssessment(deps: Deps, citizenId: string): Promise<Assessment | undefined> {
  const page = await assessmentsPage(deps.table, citizenId, { limit: 1, consistent: true });
  return page.items[0];
}

/**
 * The latest assessment of a citizen whose profile item the caller already read, and whether the
 * answer came from the profile (`onProfile`: a transaction can then condition on it). A profile
 * without a summary (never assessed, or written before summaries existed) falls back to the
 * Query, which costs one more request only on that path.
 */
export async function latestAssessmentOf(
  deps: Deps,
  profile: Record<string, unknown>,
  citizenId: string,
): Promise<{ latest: AssessmentSummary | undefined; onProfile: boolean }> {
  const summary = summaryOnProfile(profile);
  if (summary !== undefined) return { latest: summary, onProfile: true };
  const latest = await latestAssessment(deps, citizenId);
  return { latest: latest && summaryOf(latest), onProfile: false };
}
