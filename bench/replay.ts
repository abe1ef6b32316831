import { BatchGetCommand, GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RecordedCommand } from './meter.ts';

/**
 * The floor of a read route: the same DynamoDB reads the route made, sent directly. They are
 * replayed in the route's own waves (commands it sent in parallel go in parallel), so the floor
 * is what the data access alone costs, not a slower sequential version of it.
 */

/** Groups commands into waves: a command sent before any command of the current wave answered runs beside them. */
export function groupIntoWaves<T extends Pick<RecordedCommand, 'startedAt' | 'endedAt'>>(
  commands: readonly T[],
): T[][] {
  const sorted = [...commands].sort((a, b) => a.startedAt - b.startedAt);
  const waves: T[][] = [];
  let current: T[] = [];
  let firstEnd = Number.POSITIVE_INFINITY;
  for (const command of sorted) {
    if (current.length > 0 && command.startedAt >= firstEnd) {
      waves.push(current);
      current = [];
      firstEnd = Number.POSITIVE_INFINITY;
    }
    current.push(command);
    firstEnd = Math.min(firstEnd, command.endedAt);
  }
  if (current.length) waves.push(current);
  return waves;
}

const REPLAYABLE: Record<string, (input: never) => unknown> = {
  QueryCommand: (input) => new QueryCommand(input),
  GetItemCommand: (input) => new GetCommand(input),
  BatchGetItemCommand: (input) => new BatchGetCommand(input),
};

export function isReplayableRead(command: string, only?: readonly string[]): boolean {
  return command in REPLAYABLE && (!only || only.includes(command));
}

/** Sends the waves; returns the elapsed milliseconds. */
export async function replay(db: DynamoDBDocumentClient, waves: readonly RecordedCommand[][]): Promise<number> {
  const started = performance.now();
  for (const wave of waves) {
    await Promise.all(
      wave.map((c) => {
        const make = REPLAYABLE[c.command];
        if (!make) throw new Error(`${c.command} is not a read the floor can replay`);
        // A fresh copy: the SDK may add to the input it is given.
        return db.send(make(structuredClone(c.input) as never) as never);
      }),
    );
  }
  return performance.now() - started;
}
