import type { Deps } from '#shared/platform/deps.ts';
import { logger } from '#shared/platform/logger.ts';
import { putTeam, queryTeams } from './team-store.ts';

/**
 * The teams that have citizens, for jobs that look through every team (the reconciliation).
 * Written with a plain Put after a citizen is registered, never inside the registration's
 * transaction: one item per team that every registration wrote transactionally would make
 * concurrent registrations of a team conflict. Idempotent; each process writes a team once.
 */
const known = new Set<string>();

export async function rememberTeam(deps: Deps, team: string): Promise<void> {
  const key = `${deps.table.name}#${team}`;
  if (known.has(key)) return;
  try {
    await putTeam(deps.table, team);
    known.add(key);
  } catch (error) {
    // The next registration in the team writes it; the citizen is registered either way.
    logger.warn('team not recorded', { team, error: error as Error });
  }
}

export async function listTeams(deps: Deps): Promise<string[]> {
  return queryTeams(deps.table);
}
