import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../scripts/dynamodb-local.ts';

/** One DynamoDB Local per test run; each test file makes its own table in it. */
export default async function setup(project: TestProject) {
  const ddb = await startDynamoDbLocal();
  project.provide('dynamoEndpoint', ddb.endpoint);
  return () => ddb.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}
