import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * A document client whose SDK is loaded on the first `send`, not at import: a function that never
 * touches the table (the public one: /health, /openapi.json, /docs) never loads the DynamoDB
 * client at all, and the bundler can leave it in a chunk of its own. Functions that use the table
 * load it on their first request, which is part of their cold start either way.
 *
 * Only `send` is forwarded: it is the one member the domain uses (`shared/table/store.ts`). Anything
 * else (middleware, destroy) belongs to the local and test clients, which are created eagerly.
 */
export function lazyDocumentClient(options: { region: string; endpoint?: string | undefined }): DynamoDBDocumentClient {
  let client: Promise<DynamoDBDocumentClient> | undefined;
  const load = () => {
    client ??= import('./client.ts').then(
      (module) => module.createDocumentClient(options),
      (error: unknown) => {
        client = undefined;
        throw error;
      },
    );
    return client;
  };
  const send = async (command: Parameters<DynamoDBDocumentClient['send']>[0]) => (await load()).send(command);
  return new Proxy({} as DynamoDBDocumentClient, {
    get(_target, property) {
      if (property === 'send') return send;
      // A thenable check (await of the client) must not throw.
      if (property === 'then') return undefined;
      throw new TypeError(`The lazily loaded DynamoDB client offers only send(), not ${String(property)}`);
    },
  });
}
