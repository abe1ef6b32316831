/** SVG elements (the charts and the week grid are pictures, drawn from the geometry in lib/). */
const NS = 'http://www.w3.org/2000/svg';

export function svg(
  tag: string,
  attrs: Record<string, string | number> = {},
  ...children: (Node | string | null)[]
): SVGElement {
  const el = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  for (const child of children) if (child !== null) el.append(child);
  return el;
}
