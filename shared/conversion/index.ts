/**
 * What other capabilities use of the conversion capability. The event contract is in ./plan.ts.
 */
export * from './plan.ts';
export {
  getCurrentFinalGrant,
  listCurrentFinalGrants,
  teamConversionFigures,
  type CurrentFinalGrant,
  type TeamConversionFigures,
  type FinalGrant,
} from './final-grants.ts';
export { conversionFigures, type ConversionFigures } from './figures.ts';
export type { ConversionLine } from './split.ts';
export type { Grant } from './grants.ts';
