import type { Deps } from '#shared/platform/deps.ts';
import { getItem, put, transactWrite } from '#shared/table/store.ts';
import { demoKeys } from '#shared/table/keys.ts';

/**
 * Demo data for `npm start`: loaded once, on the first start against an empty data folder.
 * Each capability contributes a step (in order: questionnaire and citizens, then staff and
 * their availability, then dispensers); a step gets what the earlier ones made.
 */
export interface DemoData {
  team: string;
  /** Named ids the start-up banner prints, e.g. `citizen: cit_…`. */
  ids: Record<string, string>;
}

export type DemoStep = (deps: Deps, demo: DemoData) => Promise<void>;

/**
 * Returns the demo ids, seeding first with `steps` (in order) if this data folder has never been
 * seeded. `shared/demo/all.ts` lists every capability's step; a test may pass fewer.
 */
export async function seedDemoDataWith(
  deps: Deps,
  steps: readonly DemoStep[],
): Promise<{ seeded: boolean; demo: DemoData }> {
  const marker = await getItem<{ demo: DemoData }>(deps.table, demoKeys.marker(), { consistent: true });
  if (marker) return { seeded: false, demo: marker.demo };
  const demo: DemoData = { team: 'east', ids: {} };
  for (const step of steps) await step(deps, demo);
  await transactWrite(deps.table, [
    put(deps.table, { ...demoKeys.marker(), entity: 'DemoMarker', demo, seededAt: deps.clock.now().toISOString() }),
  ]);
  return { seeded: true, demo };
}
