/**
 * Imports every capability's demo step so `demoSteps` is complete, in order.
 * Add a line here when a capability contributes demo data.
 */
import './care.ts';
import './visits.ts';
import './dispensers.ts';
export { seedDemoData } from './seed.ts';
