import { Stack, Token, Validations, type CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Acknowledges one cdk-nag finding on the construct it is about, with the reason. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * cdk-nag names a finding by the rendered ARN: pseudo parameters as `<AWS::…>`, concrete values as
 * themselves (the account is concrete at deploy time, a token in an offline synth).
 */
export function nagArnParts(scope: IConstruct): { partition: string; region: string; account: string } {
  const stack = Stack.of(scope);
  const part = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
  return {
    partition: part(stack.partition, 'Partition'),
    region: part(stack.region, 'Region'),
    account: part(stack.account, 'AccountId'),
  };
}

/** The logical id of a construct's CloudFormation resource, as cdk-nag writes it in a finding. */
export function logicalIdOf(construct: IConstruct): string {
  const stack = Stack.of(construct);
  return stack.resolve(stack.getLogicalId(construct.node.defaultChild as CfnElement)) as string;
}
