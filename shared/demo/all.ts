import type { Deps } from '#shared/platform/deps.ts';
import { careDemo } from './care.ts';
import { dispensersDemo } from './dispensers.ts';
import { seedDemoDataWith, type DemoData, type DemoStep } from './seed.ts';
import { visitsDemo } from './visits.ts';

/** Every capability's demo step, in order: each gets what the earlier ones made. */
export const demoSteps: readonly DemoStep[] = [careDemo, visitsDemo, dispensersDemo];

/** The demo data of `npm start`: every step, once per data folder. */
export function seedDemoData(deps: Deps): Promise<{ seeded: boolean; demo: DemoData }> {
  return seedDemoDataWith(deps, demoSteps);
}
