import '#shared/platform/luxon-defaults.ts';
import { createLocalDeps } from '#shared/app/local-deps.ts';
import { loadConfig } from '#shared/platform/config.ts';

/**
 * The table's stream consumer in a process of its own, as the TableStream function is on AWS: the
 * benchmark forks it (bench/stack.ts `streamInOwnProcess`) so that deriving device data and
 * delivering domain events do not share the API's event loop. Same code as in-process: the local
 * deps' stream poller, on the same DynamoDB Local table, with its position kept in the table.
 * Messages: `drain` → delivers everything committed so far, answers `{ drained: <records handled> }`; `stop` → exits.
 */
const config = loadConfig({ ...process.env, STAGE: 'local', AUTH_MODE: 'local' });
const deps = await createLocalDeps(config);
deps.stream.startTimer(Number(process.env.STREAM_POLL_MS ?? 50));

process.on('message', (message: unknown) => {
  if (message === 'drain')
    void (async () => {
      // One drain stops after 50 polls: go on until a drain finds nothing.
      let handled = 0;
      for (let pass = await deps.stream.drain(); pass.handled > 0; pass = await deps.stream.drain())
        handled += pass.handled;
      process.send?.({ drained: handled });
    })();
  if (message === 'stop') {
    deps.stream.stopTimer();
    process.exit(0);
  }
});
process.send?.('ready');
