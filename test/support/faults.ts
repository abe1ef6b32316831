import type { Table } from '#shared/table/store.ts';

/**
 * Fault injection on the real DynamoDB Local: wraps the table's client so that the Nth write from
 * now is carried out and then fails, as a request that dies after its write (a timeout whose
 * outcome is unknown, a Lambda killed in between) would. Nothing is mocked: every call, the
 * failing one included, reaches the real engine.
 */
const WRITES = /^(Put|Update|Delete|TransactWrite|BatchWrite)(Item|Items)?Command$/;

export class InjectedFault extends Error {
  constructor(readonly command: string) {
    super(`injected failure after ${command}`);
    this.name = 'InjectedFault';
  }
}

export interface TableFaults {
  /** The `n`th write from now (1 = the next) is done, then throws. */
  failAfterWrite(n: number): void;
  /** Writes seen since the last `count()` reset. */
  writes(): number;
  reset(): void;
  /** Whether the armed failure fired. */
  fired(): boolean;
}

export function injectTableFaults(table: Table): TableFaults {
  const db = table.db as unknown as {
    send: (command: { constructor: { name: string } }, ...rest: unknown[]) => Promise<unknown>;
  };
  const send = db.send.bind(db);
  let writes = 0;
  let failAt: number | undefined;
  let fired = false;
  db.send = async (command, ...rest) => {
    const name = command.constructor.name;
    const result = await send(command, ...rest);
    if (WRITES.test(name)) {
      writes += 1;
      if (failAt !== undefined && writes === failAt) {
        failAt = undefined;
        fired = true;
        throw new InjectedFault(name);
      }
    }
    return result;
  };
  return {
    failAfterWrite(n) {
      writes = 0;
      fired = false;
      failAt = n;
    },
    writes: () => writes,
    reset() {
      writes = 0;
      failAt = undefined;
      fired = false;
    },
    fired: () => fired,
  };
}
