/**
 * Names are searched by a normalised form: family name first, lower case, diacritics folded,
 * so "Sørensen", "Sorensen" and "SØRENSEN" all find the same citizen by prefix. Letters that
 * do not decompose in Unicode are folded by hand (ø→o, æ→ae, ß→ss, đ→d, ł→l).
 */
const SPECIAL: Record<string, string> = { ø: 'o', æ: 'ae', œ: 'oe', ß: 'ss', đ: 'd', ð: 'd', ł: 'l', þ: 'th' };

export function foldText(text: string): string {
  return (
    text
      .toLowerCase()
      .normalize('NFD')
      .replace(/\p{M}+/gu, '')
      .replace(/[øæœßđðłþ]/g, (ch) => SPECIAL[ch] ?? ch)
      // Only letters, digits, spaces and hyphens survive: `#` separates key parts.
      .replace(/[^a-z0-9 -]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

/** The sort-key form of a citizen's name: `family given`. */
export function normaliseName(name: { given: string; family: string }): string {
  return foldText(`${name.family} ${name.given}`);
}

/** A search term is matched as a prefix of the normalised `family given` form. */
export function normaliseNameQuery(query: string): string {
  return foldText(query);
}
