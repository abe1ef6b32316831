import { assessmentKeys } from '#shared/table/keys.ts';
import {
  getItem,
  NamedTransactionConflict,
  putNew,
  queryPage,
  transactNamed,
  type Table,
} from '#shared/table/store.ts';
import { questionnaireSchema, type Questionnaire } from './questionnaire.ts';

/**
 * The questionnaire repository: published versions, one small partition (`VERSION#<n>`), each
 * written once. Apart from the assessments' so that what reads a citizen's latest assessment
 * (conversion, the dispenser trial) does not load the questionnaire's definition schema.
 */

export type QuestionnaireItem = Questionnaire & { pk: string; sk: string; entity: 'Questionnaire' };

/** Someone published this questionnaire version first: versions are immutable once written. */
export class VersionTaken extends Error {
  override readonly name = 'VersionTaken';
}

export async function getQuestionnaireVersion(table: Table, version: number): Promise<Questionnaire | undefined> {
  const item = await getItem(table, assessmentKeys.questionnaire(version), { consistent: true });
  return item ? questionnaireSchema.parse(item) : undefined;
}

/** The highest published version, or undefined when none is. */
export async function latestQuestionnaireVersion(table: Table): Promise<Questionnaire | undefined> {
  const page = await queryPage(table, {
    partition: ['pk', assessmentKeys.questionnairePartition],
    sort: { attribute: 'sk', beginsWith: assessmentKeys.questionnaireVersionPrefix },
    newestFirst: true,
    limit: 1,
    consistent: true,
  });
  return page.items[0] ? questionnaireSchema.parse(page.items[0]) : undefined;
}

/** Writes a version on the condition that it is new; `VersionTaken` when it is not. */
export async function insertQuestionnaireVersion(table: Table, questionnaire: Questionnaire): Promise<void> {
  const item: QuestionnaireItem = {
    ...assessmentKeys.questionnaire(questionnaire.version),
    entity: 'Questionnaire',
    ...questionnaire,
  };
  try {
    await transactNamed(table, [{ name: 'version', action: putNew(table, item) }]);
  } catch (error) {
    if (error instanceof NamedTransactionConflict) throw new VersionTaken(String(questionnaire.version));
    throw error;
  }
}
