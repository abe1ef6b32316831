/**
 * Imports every capability's demo step so `demoSteps` is complete, in order.
 * Add a line here when a capability contributes demo data.
 */
export { seedDemoData } from './seed.ts';
