/** The tablet's words, Danish first. Short sentences, no jargon: the reader may be 80. */
export const da = {
  brand: 'Skærmbesøg',
  otherLanguage: 'English',
  pairTitle: 'Forbind tabletten',
};

export const en: Record<keyof typeof da, string> = {
  brand: 'Screen visits',
  otherLanguage: 'Dansk',
  pairTitle: 'Connect this tablet',
};
