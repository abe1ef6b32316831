import { h, show } from '../common/dom.ts';
import { currentLang, setLang, translator } from '../common/i18n.ts';
import { da, en } from './texts.ts';

const t = translator({ da, en });

export function startTablet(root: HTMLElement): void {
  document.documentElement.lang = currentLang();
  render(root);
}

function render(root: HTMLElement): void {
  const other = currentLang() === 'da' ? 'en' : 'da';
  show(
    root,
    h('div', null,
      h('header', { class: 'topbar' },
        h('span', { class: 'brand' }, t('brand')),
        h('button', { type: 'button', lang: other, onclick: () => { setLang(other); render(root); } }, t('otherLanguage')),
      ),
      h('main', null, h('h1', null, t('pairTitle'))),
    ),
  );
}
