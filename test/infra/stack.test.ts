import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validations, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaFunctions, type LambdaFunctionName } from '../../infra/bundling.ts';
import { buildApp } from '../../infra/app.ts';
import { readDeploymentContext } from '../../infra/context.ts';
import { functionAccess, NOTIFIER_RESERVED_CONCURRENCY, reservedConcurrency } from '../../infra/access.ts';
import { TABLE_BACKUP_RETENTION } from '../../infra/backup.ts';
import {
  API_P99_LATENCY_MS,
  API_THROTTLE,
  DEVICE_INGEST_THROTTLE,
  TABLE_ACTIONS,
  type ETeamStack,
} from '../../infra/stack.ts';
import { openApiDocument } from '#shared/http/app.ts';
import { leadingKeyPatterns } from '#shared/table/table-access.ts';
import { consumers } from '#shared/app/event-registry.ts';
import { apiParts, credentialRoutes, type ApiPart } from '#shared/app/routers.ts';
import { jobs } from '#shared/app/job-registry.ts';
import { roles } from '#shared/platform/actor.ts';
import { globalIndexes, TTL_ATTRIBUTE } from '#shared/table/schema.ts';

/**
 * The stack as CloudFormation, synthesised once for the whole file with cdk-nag's AWS Solutions,
 * HIPAA Security and NIST 800-53 rev. 5 packs on. Bundling is skipped (`aws:cdk:bundling-stacks: []` makes each function's asset stage the
 * source instead of running esbuild); test/infra/bundles.test.ts and `npx cdk synth` bundle for real.
 */
let outdir: string;
let stack: ETeamStack;
let template: Template;
let resources: Record<string, { Type: string; Properties: any; DeletionPolicy?: string; DependsOn?: string[] }>;

const functionOfPart = (part: ApiPart) =>
  lambdaFunctions.find((f) => 'apiPart' in f && f.apiPart === part)?.name as LambdaFunctionName;
const logicalId = (construct: IConstruct) =>
  stack.resolve(stack.getLogicalId(construct.node.defaultChild as never)) as string;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'e-team-cdk-'));
  const built = buildApp({
    outdir,
    context: { 'aws:cdk:bundling-stacks': [], alarmEmail: 'oncall@example.org' },
    // CDK's own CloudFormation linter (wasm, ~10 s) only warns; `npx cdk synth` still runs it.
    builtinCloudFormationValidation: false,
  });
  stack = built.stack;
  // Throws "Validation failed" when cdk-nag reports a finding nobody acknowledged.
  const assembly = built.app.synth();
  const json = assembly.getStackByName(stack.stackName).template;
  template = Template.fromJSON(json);
  resources = json.Resources;
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('logical ids a deployed stack already has', () => {
  // The parts under infra/constructs/ add their resources to the stack's own scope. A resource
  // whose logical id changed would be replaced: the table and the user pool with their data, the
  // keys with everything they encrypt; a named one (functions, queues, the bus) would fail the
  // deployment on its taken name.
  it('keeps the table, the user pool and the keys where they were', () => {
    expect(logicalId(stack.table)).toBe('TableCD117FA1');
    expect(ofType('AWS::DynamoDB::GlobalTable').map(([id]) => id)).toEqual(['TableCD117FA1']);
    expect(ofType('AWS::Cognito::UserPool').map(([id]) => id)).toEqual(['Users0A0EEA89']);
    expect(logicalId(stack.keys.data)).toBe('DataKey17AFBB84');
    expect(logicalId(stack.keys.messaging)).toBe('MessagingKey9A79A2B1');
    expect(logicalId(stack.keys.logs)).toBe('LogsKeyA6AB43B2');
    expect(logicalId(stack.appSecret.secret)).toBe('AppSecret048408C8');
  });

  it('keeps the ids CDK derives from construct paths: the stream’s event source mapping, the functions, the bus', () => {
    expect(ofType('AWS::Lambda::EventSourceMapping').map(([id]) => id)).toEqual([
      'TableStreamDynamoDBEventSourceETeamdevdemoTableF320DE021C6631E2',
    ]);
    expect(logicalId(stack.functions.Care)).toBe('Care748EE02D');
    expect(logicalId(stack.functions.TableStream)).toBe('TableStream8DEAEA6B');
    expect(ofType('AWS::Events::EventBus').map(([id]) => id)).toEqual(['DomainEventsEB543A36']);
    expect(logicalId(stack.api)).toBe('ApiF70053CD');
  });
});

describe('the table', () => {
  it('is the one table of shared/table/schema.ts: pk/sk, the GSIs and the TTL attribute', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: globalIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('survives mistakes: point-in-time recovery, deletion protection, retained on stack deletion', () => {
    const [[, table]] = ofType('AWS::DynamoDB::GlobalTable') as [[string, any]];
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties.Replicas).toEqual([
      expect.objectContaining({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      }),
    ]);
  });

  it('is encrypted with the customer-managed data key, which rotates', () => {
    const dataKey = Object.keys(resources).find(
      (id) => id.startsWith('DataKey') && resources[id]?.Type === 'AWS::KMS::Key',
    );
    expect(dataKey).toBeDefined();
    expect(resources[dataKey as string]?.Properties.EnableKeyRotation).toBe(true);
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      Replicas: [Match.objectLike({ SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [dataKey, 'Arn'] } } })],
    });
  });
});

describe('backups of the table (cdk-nag has no rule for TableV2, so these assertions are the check)', () => {
  it('has an AWS Backup plan, daily and monthly, whose selection is the table', () => {
    const [[tableId]] = ofType('AWS::DynamoDB::GlobalTable') as [[string, any]];
    const [[planId, plan]] = ofType('AWS::Backup::BackupPlan') as [[string, any]];
    const rules = plan.Properties.BackupPlan.BackupPlanRule as any[];
    expect(rules.map((r) => r.RuleName).sort()).toEqual(['Daily', 'Monthly']);
    expect(rules.find((r) => r.RuleName === 'Daily').Lifecycle.DeleteAfterDays).toBe(
      TABLE_BACKUP_RETENTION.daily.toDays(),
    );
    expect(rules.find((r) => r.RuleName === 'Monthly').Lifecycle.DeleteAfterDays).toBe(
      TABLE_BACKUP_RETENTION.monthly.toDays(),
    );
    const [[, selection]] = ofType('AWS::Backup::BackupSelection') as [[string, any]];
    expect(selection.Properties.BackupPlanId).toEqual({ 'Fn::GetAtt': [planId, 'BackupPlanId'] });
    expect(selection.Properties.BackupSelection.Resources).toEqual([{ 'Fn::GetAtt': [tableId, 'Arn'] }]);
  });

  it('keeps the backups in a retained vault under the data key', () => {
    const [[, vault]] = ofType('AWS::Backup::BackupVault') as [[string, any]];
    expect(vault.DeletionPolicy).toBe('Retain');
    expect(vault.Properties.EncryptionKeyArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] });
  });
});

describe('the HTTP API', () => {
  /** What the routers say, converted here independently of infra/routes.ts. */
  const expectedRoutes = () =>
    (Object.entries(apiParts) as [ApiPart, () => { routes: { method: string; path: string }[] }[]][]).flatMap(
      ([part, routers]) =>
        routers().flatMap((router) =>
          router.routes
            .filter((r) => r.method !== 'ALL')
            .map((r) => ({ part, key: `${r.method} ${r.path.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}')}` })),
        ),
    );
  /** Routes whose callers bring a credential of their own (shared/http/credential-routes.ts). */
  const ownCredential = (r: { part: ApiPart; key: string }) => {
    const [method, path] = r.key.split(' ') as [string, string];
    return credentialRoutes.some(
      (c) => c.part === r.part && c.method === method && c.path.test(path.replace(/\{(\w+)\}/g, ':$1')),
    );
  };
  const routeByKey = () =>
    new Map(ofType('AWS::ApiGatewayV2::Route').map(([, r]) => [r.Properties.RouteKey as string, r.Properties]));
  const integrationTarget = (routeProps: any) => {
    const integrationId = routeProps.Target['Fn::Join'][1][1].Ref as string;
    return resources[integrationId]?.Properties.IntegrationUri['Fn::GetAtt'][0] as string;
  };
  const jwtAuthorizerId = () => {
    const [[id, authorizer]] = ofType('AWS::ApiGatewayV2::Authorizer') as [[string, any]];
    expect(authorizer.Properties.AuthorizerType).toBe('JWT');
    return id;
  };

  it('has every route of every API part, sent to that part’s function behind the JWT authorizer', () => {
    const routes = routeByKey();
    const authorizer = jwtAuthorizerId();
    const expected = expectedRoutes().filter((r) => !ownCredential(r));
    expect(expected.length).toBeGreaterThan(0);
    for (const { part, key } of expected) {
      const route = routes.get(key);
      expect(route, `route ${key}`).toBeDefined();
      expect(integrationTarget(route), `${key} → ${part}`).toBe(logicalId(stack.functions[functionOfPart(part)]));
      expect(route.AuthorizationType, key).toBe('JWT');
      expect(route.AuthorizerId, key).toEqual({ Ref: authorizer });
    }
  });

  it('routes nothing it was not told to: every route is a part’s route or a public one', () => {
    const known = new Set([...expectedRoutes().map((r) => r.key), 'GET /health', 'GET /openapi.json', 'GET /docs']);
    expect([...routeByKey().keys()].filter((key) => !known.has(key))).toEqual([]);
  });

  it('serves /health, /openapi.json and /docs from the public function without an authorizer', () => {
    const routes = routeByKey();
    for (const key of ['GET /health', 'GET /openapi.json', 'GET /docs']) {
      expect(routes.get(key)?.AuthorizationType, key).toBe('NONE');
      expect(integrationTarget(routes.get(key)), key).toBe(logicalId(stack.functions.Public));
    }
  });

  it('lets callers with a credential of their own (dispensers, calendar programs) past API Gateway to the function that checks it', () => {
    const routes = routeByKey();
    const own = expectedRoutes().filter(ownCredential);
    expect(own.length).toBeGreaterThan(0);
    for (const { part, key } of own) {
      expect(routes.get(key)?.AuthorizationType, key).toBe('NONE');
      expect(integrationTarget(routes.get(key)), key).toBe(logicalId(stack.functions[functionOfPart(part)]));
    }
  });

  it('lets the paired tablets (tokens the API signs, not Cognito) reach exactly their routes on the visits function, which reads the tablet token key from the app secret', () => {
    const routes = routeByKey();
    const tabletRoutes = [
      'POST /tablet-pairings/redeem',
      'GET /me/visits',
      'GET /me/next-visit',
      'POST /visits/{visitId}/join',
      'POST /visits/{visitId}/guests/{guestId}/consent',
    ];
    for (const key of tabletRoutes) {
      expect(routes.get(key)?.AuthorizationType, key).toBe('NONE');
      expect(integrationTarget(routes.get(key)), key).toBe(logicalId(stack.functions.Visits));
    }
    // Staff manage tablets through the authorizer as on every other route.
    for (const key of [
      'POST /citizens/{citizenId}/tablet-pairings',
      'GET /citizens/{citizenId}/tablets',
      'DELETE /citizens/{citizenId}/tablets/{tabletId}',
    ]) {
      expect(routes.get(key)?.AuthorizationType, key).toBe('JWT');
    }
    const visits = resources[logicalId(stack.functions.Visits)];
    expect(Object.keys(visits?.Properties.Environment.Variables)).toContain('APP_SECRET_ARN');
  });

  it('lets the dispensers post events with their device credential, not a JWT', () => {
    const ingest = routeByKey().get('POST /dispensers/{dispenserId}/events');
    expect(ingest, 'the device-events part has not added its ingest route yet').toBeDefined();
    expect(ingest?.AuthorizationType).toBe('NONE');
    expect(integrationTarget(ingest)).toBe(logicalId(stack.functions.DeviceEvents));
  });

  it('authorises tokens of the user pool’s web client', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Audience: [{ Ref: Match.stringLikeRegexp('^UsersWebClient') }], Issuer: Match.anyValue() },
    });
  });

  it('throttles the stage, with a higher burst for device ingest, and writes access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: {
        ThrottlingRateLimit: API_THROTTLE.rateLimit,
        ThrottlingBurstLimit: API_THROTTLE.burstLimit,
      },
      RouteSettings: {
        'POST /dispensers/{dispenserId}/events': {
          ThrottlingRateLimit: DEVICE_INGEST_THROTTLE.rateLimit,
          ThrottlingBurstLimit: DEVICE_INGEST_THROTTLE.burstLimit,
        },
      },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('\\$context.requestId') },
    });
    expect(DEVICE_INGEST_THROTTLE.burstLimit).toBeGreaterThan(API_THROTTLE.burstLimit);
  });
});

describe('users', () => {
  it('is an invitation-only pool with strong passwords, required MFA and enforced threat protection', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: 12,
          RequireSymbols: true,
          RequireUppercase: true,
          RequireNumbers: true,
        }),
      },
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
  });

  it('has a group per role, the municipality-wide roles (dpo, reporting, support) and the default team group', () => {
    const groups = ofType('AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties.GroupName as string);
    expect(groups.sort()).toEqual([...new Set([...roles, 'dpo', 'reporting', 'support', 'team-east'])].sort());
    for (const [, group] of ofType('AWS::Cognito::UserPoolGroup'))
      expect(group.Properties.Description?.length, group.Properties.GroupName).toBeGreaterThan(10);
  });

  it('gives the web front-end a public client with the authorization code flow only', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
    });
  });
});

describe('the functions', () => {
  // The app's functions; CDK's own BucketDeployment handler (infra/constructs/web.ts) is not one of them.
  const functionResources = () =>
    ofType('AWS::Lambda::Function').filter(([id]) => !id.startsWith('CustomCDKBucketDeployment'));
  const roleOf = (name: LambdaFunctionName) =>
    resources[logicalId(stack.functions[name])]?.Properties.Role['Fn::GetAtt'][0] as string;
  const statementsOf = (name: LambdaFunctionName) =>
    ofType('AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleOf(name)))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
  const allows = (name: LambdaFunctionName, action: string) =>
    statementsOf(name).some((s) => s.Effect === 'Allow' && [s.Action].flat().includes(action));

  it('are the nine of the manifest and the notifier, on Node 22 arm64 with active tracing', () => {
    expect(functionResources()).toHaveLength(lambdaFunctions.length + 1);
    for (const [, fn] of functionResources()) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
      });
    }
  });

  it('log to their own log group, kept for a year, under the logs key (as are the API access logs)', () => {
    const logsKey = { 'Fn::GetAtt': [expect.stringMatching(/^LogsKey/), 'Arn'] };
    for (const name of Object.keys(stack.functions) as LambdaFunctionName[]) {
      const logGroupId = resources[logicalId(stack.functions[name])]?.Properties.LoggingConfig.LogGroup.Ref as string;
      expect(resources[logGroupId]?.Properties.RetentionInDays, name).toBe(365);
      expect(resources[logGroupId]?.Properties.KmsKeyId, name).toEqual(logsKey);
    }
    for (const [id, group] of ofType('AWS::Logs::LogGroup')) expect(group.Properties.KmsKeyId, id).toEqual(logsKey);
  });

  it('have reserved concurrency: the job runner its own share, the device route a cap, all within the account’s quota', () => {
    for (const name of Object.keys(stack.functions) as LambdaFunctionName[]) {
      expect(resources[logicalId(stack.functions[name])]?.Properties.ReservedConcurrentExecutions, name).toBe(
        reservedConcurrency[name],
      );
    }
    expect(reservedConcurrency.JobRunner).toBeGreaterThan(0);
    expect(reservedConcurrency.DeviceEvents).toBeLessThan(100);
    // Lambda keeps 100 of the default 1,000 unreserved.
    expect(
      Object.values(reservedConcurrency).reduce((a: number, b: number) => a + b, NOTIFIER_RESERVED_CONCURRENCY),
    ).toBeLessThanOrEqual(900);
  });

  const environmentOf = (name: LambdaFunctionName) =>
    resources[logicalId(stack.functions[name])]?.Properties.Environment.Variables as Record<string, any>;
  const schedulingKeys = ['SCHEDULE_GROUP_NAME', 'SCHEDULER_ROLE_ARN', 'SCHEDULER_TARGET_ARN', 'SCHEDULER_DLQ_ARN'];
  const meetingKeys = ['CHIME_CONTROL_REGION', 'CHIME_MEDIA_REGION'];
  const queueId = (name: string) => {
    const found = ofType('AWS::SQS::Queue').find(([, q]) => q.Properties.QueueName === `e-team-dev-demo-${name}-dlq`);
    expect(found, name).toBeDefined();
    return found?.[0] as string;
  };

  it('get the configuration and no secret: no pepper, no secret reference in any environment', () => {
    for (const [id, fn] of functionResources()) {
      const env = fn.Properties.Environment.Variables;
      expect(Object.keys(env), id).toEqual(
        expect.arrayContaining([
          'STAGE',
          'MUNICIPALITY',
          'TIME_ZONE',
          'TABLE_NAME',
          'EVENT_BUS_NAME',
          'LOG_LEVEL',
          'COGNITO_USER_POOL_ID',
          'COGNITO_CLIENT_ID',
        ]),
      );
      expect(env.AUTH_MODE).toBe('cognito');
      expect(
        Object.keys(env).filter((key) => /PEPPER|SECRET_VALUE|CURSOR_KEY|TABLET_TOKEN_KEY/.test(key)),
        id,
      ).toEqual([]);
      expect(JSON.stringify(env), id).not.toMatch(/resolve:secretsmanager|resolve:ssm-secure/);
    }
  });

  const appSecretId = () => {
    const found = ofType('AWS::SecretsManager::Secret').find(([, s]) => s.Properties.Name === 'e-team-dev-demo/app');
    expect(found).toBeDefined();
    return found?.[0] as string;
  };

  it('keep the pepper and the cursor key in one secret, under a key of its own, generated and never in the template', () => {
    const secret = resources[appSecretId()]?.Properties;
    expect(secret.SecretString).toBeUndefined();
    expect(secret.GenerateSecretString.GenerateStringKey).toBe('cursorKey');
    expect(secret.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^AppSecretKey/), 'Arn'] });
    // The pepper of record comes in as a dynamic reference, resolved by CloudFormation at deploy time.
    const template = JSON.stringify(secret.GenerateSecretString.SecretStringTemplate);
    expect(template).toMatch(/nationalIdPepper/);
    expect(template).toMatch(/resolve:secretsmanager:/);
    // The tablet token key is generated in a secret of its own and comes in the same way.
    expect(template).toMatch(/tabletTokenKey/);
    const source = ofType('AWS::SecretsManager::Secret').find(
      ([, s]) => s.Properties.Name === 'e-team-dev-demo/tablet-token-key-source',
    )?.[1];
    expect(source?.Properties.GenerateSecretString).toMatchObject({ PasswordLength: 64 });
    expect(source?.Properties.SecretString).toBeUndefined();
  });

  it('name the app secret (APP_SECRET_ARN) only to the functions that hash national ids or page lists, and let exactly those read it', () => {
    for (const name of Object.keys(stack.functions) as LambdaFunctionName[]) {
      const env = environmentOf(name);
      const reads = functionAccess[name].appSecret;
      expect(env.APP_SECRET_ARN, name).toEqual(reads ? { Ref: appSecretId() } : undefined);
      const secretReads = statementsOf(name).filter(
        (s) => s.Effect === 'Allow' && [s.Action].flat().some((a: string) => a.startsWith('secretsmanager:')),
      );
      expect(
        secretReads.map((s) => [[s.Action].flat(), s.Resource]),
        name,
      ).toEqual(reads ? [[['secretsmanager:GetSecretValue'], { Ref: appSecretId() }]] : []);
      const decrypt = statementsOf(name).find((s) => s.Sid === 'DecryptAppSecret');
      expect(decrypt?.Resource, name).toEqual(
        reads ? { 'Fn::GetAtt': [expect.stringMatching(/^AppSecretKey/), 'Arn'] } : undefined,
      );
    }
    expect(functionAccess.DeviceEvents.appSecret).toBe(false);
  });

  it('give the app secret to every API function with a paged list (the cursor key signs its cursors)', () => {
    for (const [part, routers] of Object.entries(apiParts) as [ApiPart, () => any[]][]) {
      const document = openApiDocument(routers()) as {
        paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
      };
      const paged = Object.values(document.paths).some((operations) =>
        Object.values(operations).some((op) =>
          (op.parameters ?? []).some((p) => p.in === 'query' && p.name === 'cursor'),
        ),
      );
      if (paged) expect(functionAccess[functionOfPart(part)].appSecret, `${part} pages a list`).toBe(true);
    }
  });

  it('may touch only their own key families of the table (LeadingKeys), never Scan, and the device route no citizen, team, staff or national-id partition', () => {
    for (const name of Object.keys(stack.functions) as LambdaFunctionName[]) {
      // Reading the table's stream (the event source mapping's grant) is no table access: only the stream function has it.
      const streamReads = [
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:ListStreams',
      ];
      const isStreamRead = (s: any) => [s.Action].flat().every((a: string) => streamReads.includes(a));
      const allows = statementsOf(name).filter(
        (s) => s.Effect === 'Allow' && [s.Action].flat().some((a: string) => a.startsWith('dynamodb:')),
      );
      expect(allows.some(isStreamRead), `${name} reads the stream`).toBe(name === 'TableStream');
      const dynamo = allows.filter((s) => !isStreamRead(s));
      if (functionAccess[name].table === 'none') {
        expect(dynamo, name).toEqual([]);
        continue;
      }
      // One Allow for the table, conditioned on the function's partitions; nothing else.
      expect(dynamo, name).toHaveLength(1);
      const [grant] = dynamo;
      expect([grant.Action].flat().sort(), name).toEqual([...TABLE_ACTIONS].sort());
      expect(grant.Condition, name).toEqual({
        'ForAllValues:StringLike': {
          'dynamodb:LeadingKeys': [...leadingKeyPatterns[name as keyof typeof leadingKeyPatterns]],
        },
        Null: { 'dynamodb:LeadingKeys': 'false' },
      });
    }
    const device = leadingKeyPatterns.DeviceEvents as readonly string[];
    for (const forbidden of ['CITIZEN#', 'TEAM#', 'STAFF#', 'NATIONALID#', 'VISIT#', 'CONVERSION#'])
      expect(
        device.filter((p) => p.startsWith(forbidden)),
        forbidden,
      ).toEqual([]);
  });

  it('tell the functions that schedule where one-time schedules go, and the dead-letter queue for those Scheduler cannot deliver', () => {
    const schedulers = (Object.keys(functionAccess) as LambdaFunctionName[]).filter(
      (name) => functionAccess[name].schedules,
    );
    expect(schedulers).toEqual(expect.arrayContaining(['JobRunner', 'DomainEventConsumer']));
    for (const name of Object.keys(stack.functions) as LambdaFunctionName[]) {
      const env = environmentOf(name);
      for (const key of schedulingKeys) expect(key in env, `${name} ${key}`).toBe(schedulers.includes(name));
    }
    const env = environmentOf('DomainEventConsumer');
    expect(env.SCHEDULE_GROUP_NAME).toBe('e-team-dev-demo');
    expect(env.SCHEDULER_DLQ_ARN).toEqual({ 'Fn::GetAtt': [queueId('one-time-job'), 'Arn'] });
    expect(env.SCHEDULER_ROLE_ARN).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^SchedulerRole/), 'Arn'] });
  });

  it('tell the function that holds video meetings where the Chime meetings API and the media are', () => {
    for (const name of Object.keys(stack.functions) as LambdaFunctionName[]) {
      for (const key of meetingKeys)
        expect(key in environmentOf(name), `${name} ${key}`).toBe(functionAccess[name].meetings);
    }
    expect(environmentOf('Visits')).toMatchObject({
      CHIME_CONTROL_REGION: 'eu-central-1',
      CHIME_MEDIA_REGION: 'eu-north-1',
    });
  });

  it('may never change or delete an audit record: a Deny on AUDIT# partitions for every function', () => {
    for (const name of Object.keys(stack.functions) as LambdaFunctionName[]) {
      const denies = statementsOf(name).filter((s) => s.Effect === 'Deny');
      expect(denies, name).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Action: expect.arrayContaining(['dynamodb:UpdateItem', 'dynamodb:DeleteItem']),
            Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['AUDIT#*'] } },
          }),
          expect.objectContaining({
            Action: expect.arrayContaining(['dynamodb:BatchWriteItem']),
            Condition: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['AUDIT#*'] } },
          }),
          expect.objectContaining({ Action: 'dynamodb:Scan' }),
        ]),
      );
    }
  });

  it('get only what they use: the public function no table, only publishers PutEvents, only visits Chime, only schedulers schedules', () => {
    expect(allows('Public', 'dynamodb:GetItem')).toBe(false);
    expect(allows('Care', 'dynamodb:PutItem')).toBe(true);
    // Domain events leave through the outbox: only the table-stream function puts them on the bus.
    expect(allows('TableStream', 'events:PutEvents')).toBe(true);
    for (const name of [
      'Public',
      'Care',
      'Visits',
      'Dispensers',
      'DeviceEvents',
      'Reports',
      'Admin',
      'JobRunner',
      'DomainEventConsumer',
    ] as const)
      expect(allows(name, 'events:PutEvents'), name).toBe(false);
    for (const name of Object.keys(stack.functions) as LambdaFunctionName[]) {
      const access = functionAccess[name];
      expect(allows(name, 'dynamodb:PutItem'), name).toBe(access.table === 'readWrite');
      expect(allows(name, 'events:PutEvents'), name).toBe(access.publishesEvents);
      for (const action of ['chime:CreateMeeting', 'chime:GetMeeting', 'chime:CreateAttendee', 'chime:DeleteMeeting'])
        expect(allows(name, action), `${name} ${action}`).toBe(access.meetings);
      for (const action of [
        'scheduler:CreateSchedule',
        'scheduler:UpdateSchedule',
        'scheduler:DeleteSchedule',
        'iam:PassRole',
      ])
        expect(allows(name, action), `${name} ${action}`).toBe(access.schedules);
    }
  });

  it('let the domain-event consumer plan visits from an approved final grant: it schedules reminders, but holds no meetings', () => {
    expect(allows('DomainEventConsumer', 'scheduler:CreateSchedule')).toBe(true);
    expect(allows('DomainEventConsumer', 'scheduler:DeleteSchedule')).toBe(true);
    expect(allows('DomainEventConsumer', 'iam:PassRole')).toBe(true);
    expect(allows('DomainEventConsumer', 'chime:CreateMeeting')).toBe(false);
    // The job runner sends reminders and marks no-shows; it starts no video either.
    expect(allows('JobRunner', 'chime:CreateMeeting')).toBe(false);
  });

  it('scope schedules to the stack’s group and pass the scheduler role to Scheduler only', () => {
    const group = ofType('AWS::Scheduler::ScheduleGroup').map(([, g]) => g.Properties.Name as string);
    expect(group).toEqual(['e-team-dev-demo']);
    for (const name of ['JobRunner', 'DomainEventConsumer'] as const) {
      const schedules = statementsOf(name).find((s) => [s.Action].flat().includes('scheduler:CreateSchedule'));
      expect(JSON.stringify(schedules.Resource), name).toMatch(/:schedule\/e-team-dev-demo\/\*"/);
      const passRole = statementsOf(name).find((s) => [s.Action].flat().includes('iam:PassRole'));
      expect(passRole.Resource, name).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^SchedulerRole/), 'Arn'] });
      expect(passRole.Condition, name).toEqual({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
    }
  });

  it('call Chime only in the Chime control region, which need not be the stack’s', () => {
    const chime = statementsOf('Visits').filter((s) => [s.Action].flat().some((a: string) => a.startsWith('chime:')));
    expect(chime.flatMap((s) => [s.Action].flat()).sort()).toEqual([
      'chime:CreateAttendee',
      'chime:CreateMeeting',
      'chime:DeleteMeeting',
      'chime:GetMeeting',
    ]);
    for (const statement of chime)
      expect(statement.Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': 'eu-central-1' } });
  });

  it('let Scheduler write the dead letters of the app’s one-time schedules with its own role, to an encrypted queue', () => {
    const schedulerRoleId = ofType('AWS::IAM::Role').find(([id]) => id.startsWith('SchedulerRole'))?.[0];
    const statements = ofType('AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === schedulerRoleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
    const oneTime = queueId('one-time-job');
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Allow',
          Action: expect.arrayContaining(['sqs:SendMessage']),
          Resource: { 'Fn::GetAtt': [oneTime, 'Arn'] },
        }),
      ]),
    );
    expect(resources[oneTime]?.Properties.KmsMasterKeyId).toBeDefined();
  });

  it('send failed asynchronous runs (jobs, consumed events) to encrypted dead-letter queues', () => {
    for (const name of ['JobRunner', 'DomainEventConsumer'] as const) {
      expect(resources[logicalId(stack.functions[name])]?.Properties.DeadLetterConfig?.TargetArn, name).toBeDefined();
    }
    for (const [id, queue] of ofType('AWS::SQS::Queue')) expect(queue.Properties.KmsMasterKeyId, id).toBeDefined();
  });
});

describe('events and jobs', () => {
  it('has a recurring schedule for every job with `every`, invoking the job runner with its name', () => {
    const recurring = Object.entries(jobs).filter(([, job]) => job.every);
    const schedules = ofType('AWS::Scheduler::Schedule').map(([, s]) => s.Properties);
    expect(schedules).toHaveLength(recurring.length);
    for (const [name, job] of recurring) {
      const schedule = schedules.find((s) => s.Name === name);
      expect(schedule, name).toBeDefined();
      expect(schedule.ScheduleExpression).toBe(job.every);
      expect(JSON.parse(schedule.Target.Input)).toEqual({ job: name, payload: {} });
      expect(schedule.Target.Arn).toEqual({ 'Fn::GetAtt': [logicalId(stack.functions.JobRunner), 'Arn'] });
      expect(schedule.Target.DeadLetterConfig).toBeDefined();
      expect(schedule.Target.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
    }
  });

  it('routes every consumed event type to the consumer function, with retries and a dead-letter queue', () => {
    const consumed = Object.keys(consumers).filter((type) => (consumers[type]?.length ?? 0) > 0);
    const rules = ofType('AWS::Events::Rule').filter(
      ([, r]) => r.Properties.Targets[0].Arn['Fn::GetAtt'][0] === logicalId(stack.functions.DomainEventConsumer),
    );
    if (consumed.length === 0) {
      expect(rules).toHaveLength(0);
      return;
    }
    expect(rules).toHaveLength(1);
    const [[, rule]] = rules as [[string, any]];
    expect([...rule.Properties.EventPattern['detail-type']].sort()).toEqual([...consumed].sort());
    expect(rule.Properties.Targets[0]).toMatchObject({
      Arn: { 'Fn::GetAtt': [logicalId(stack.functions.DomainEventConsumer), 'Arn'] },
      DeadLetterConfig: { Arn: expect.anything() },
      RetryPolicy: { MaximumRetryAttempts: expect.any(Number) },
    });
  });

  it('delivers the outbox from the table stream to the table-stream function: in order, with retries, bisect on error and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
    const [[, mapping]] = ofType('AWS::Lambda::EventSourceMapping') as [[string, any]];
    expect(mapping.Properties).toMatchObject({
      FunctionName: { Ref: logicalId(stack.functions.TableStream) },
      StartingPosition: 'TRIM_HORIZON',
      ParallelizationFactor: 1,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRecordAgeInSeconds: 86_400,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [expect.stringMatching(/^OutboxDeadLetters/), 'Arn'] } },
      },
    });
    // INSERTs of what is published or derived from; MODIFYs only of raw device events (their first copy is kept).
    const patterns = mapping.Properties.FilterCriteria.Filters.map((f: { Pattern: string }) => JSON.parse(f.Pattern));
    expect(patterns).toEqual([
      { eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['OutboxEvent', 'DeviceEvent'] } } } },
      { eventName: ['MODIFY'], dynamodb: { NewImage: { entity: { S: ['DeviceEvent'] } } } },
    ]);
  });

  it('has a domain event bus with an archive, both under the messaging key', () => {
    const messagingKey = { 'Fn::GetAtt': [expect.stringMatching(/^MessagingKey/), 'Arn'] };
    const [[, bus]] = ofType('AWS::Events::EventBus') as [[string, any]];
    expect(bus.Properties).toMatchObject({ Name: 'e-team-dev-demo', KmsKeyIdentifier: messagingKey });
    const [[, archive]] = ofType('AWS::Events::Archive') as [[string, any]];
    expect(archive.Properties.KmsKeyIdentifier).toEqual(messagingKey);
    for (const [id, queue] of ofType('AWS::SQS::Queue'))
      expect(queue.Properties.KmsMasterKeyId, id).toEqual(messagingKey);
  });
});

describe('alarms', () => {
  const alarms = () => ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
  const hasAlarm = (metricName: string, dimension?: { Name: string; Value: unknown }) =>
    alarms().some(
      (a) =>
        a.MetricName === metricName &&
        (!dimension || (a.Dimensions ?? []).some((d: any) => JSON.stringify(d) === JSON.stringify(dimension))),
    );

  it('watch errors and throttles of every function', () => {
    for (const name of Object.keys(stack.functions) as LambdaFunctionName[]) {
      const dimension = { Name: 'FunctionName', Value: { Ref: logicalId(stack.functions[name]) } };
      expect(hasAlarm('Errors', dimension), `${name} errors`).toBe(true);
      expect(hasAlarm('Throttles', dimension), `${name} throttles`).toBe(true);
    }
  });

  it('watch dead-letter queue depth and API 5xx', () => {
    for (const [id] of ofType('AWS::SQS::Queue')) {
      expect(
        hasAlarm('ApproximateNumberOfMessagesVisible', {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [id, 'QueueName'] },
        }),
        id,
      ).toBe(true);
    }
    expect(hasAlarm('5xx')).toBe(true);
  });

  const metricsOf = (a: any): any[] =>
    (a.Metrics ?? []).flatMap((m: any) => (m.MetricStat ? [m.MetricStat.Metric] : []));

  it('watch the table’s system errors and throttles, and the API’s p99 latency', () => {
    const [[tableId]] = ofType('AWS::DynamoDB::GlobalTable') as [[string, any]];
    for (const metricName of ['SystemErrors', 'ThrottledRequests']) {
      const alarm = alarms().find((a) => metricsOf(a).some((m) => m.MetricName === metricName));
      expect(alarm, metricName).toBeDefined();
      for (const metric of metricsOf(alarm))
        expect(metric.Dimensions, metricName).toEqual(
          expect.arrayContaining([{ Name: 'TableName', Value: { Ref: tableId } }]),
        );
    }
    const latency = alarms().find((a) => a.MetricName === 'Latency');
    expect(latency).toMatchObject({ ExtendedStatistic: 'p99', Threshold: API_P99_LATENCY_MS, EvaluationPeriods: 3 });
  });

  it('watch failed jobs: the runner’s errors, its dead-letter queue, and schedules Scheduler dropped', () => {
    expect(hasAlarm('Errors', { Name: 'FunctionName', Value: { Ref: logicalId(stack.functions.JobRunner) } })).toBe(
      true,
    );
    for (const metricName of ['InvocationDroppedCount', 'InvocationsFailedToBeSentToDeadLetterCount']) {
      expect(
        alarms().some((a) => a.Namespace === 'AWS/Scheduler' && a.MetricName === metricName),
        metricName,
      ).toBe(true);
    }
  });

  it('notify the encrypted alarm topic, which e-mails the address from context', () => {
    const [[topicId, topic]] = ofType('AWS::SNS::Topic') as [[string, any]];
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    for (const alarm of alarms()) expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.org' });
  });
});

describe('the deployment context', () => {
  it('calls Chime meetings in eu-central-1 unless told otherwise, and refuses what is not a region', () => {
    expect(readDeploymentContext(() => undefined).chimeControlRegion).toBe('eu-central-1');
    expect(
      readDeploymentContext((key) => (key === 'chimeControlRegion' ? 'us-east-1' : undefined)).chimeControlRegion,
    ).toBe('us-east-1');
    expect(() => readDeploymentContext((key) => (key === 'chimeControlRegion' ? 'frankfurt' : undefined))).toThrow(
      /chimeControlRegion/,
    );
  });
});

describe('an alarm target', () => {
  const context = (values: Record<string, string>) => (key: string) => values[key];

  it('is required by every stage but dev: an e-mail address or an SNS topic', () => {
    expect(() => readDeploymentContext(context({ stage: 'prod' }))).toThrow(/alarm target/);
    expect(() => readDeploymentContext(context({ stage: 'test' }))).toThrow(/alarm target/);
    expect(() => buildApp({ context: { stage: 'staging', 'aws:cdk:bundling-stacks': [] } })).toThrow(/alarm target/);
    expect(readDeploymentContext(context({ stage: 'prod', alarmEmail: 'drift@aarhus.example' })).alarmEmail).toBe(
      'drift@aarhus.example',
    );
    expect(
      readDeploymentContext(context({ stage: 'prod', alarmTopicArn: 'arn:aws:sns:eu-north-1:123456789012:on-call' }))
        .alarmTopicArn,
    ).toBe('arn:aws:sns:eu-north-1:123456789012:on-call');
    expect(() => readDeploymentContext(context({ stage: 'prod', alarmTopicArn: 'on-call' }))).toThrow(/alarmTopicArn/);
    expect(readDeploymentContext(context({ stage: 'dev' })).stage).toBe('dev');
  });

  it('given as a topic, is notified by every alarm beside the stack’s own topic', () => {
    const operators = 'arn:aws:sns:eu-north-1:123456789012:on-call';
    const built = buildApp({
      outdir: mkdtempSync(join(tmpdir(), 'e-team-cdk-')),
      context: { 'aws:cdk:bundling-stacks': [], stage: 'prod', alarmTopicArn: operators },
      builtinCloudFormationValidation: false,
    });
    const json = built.app.synth().getStackByName(built.stack.stackName).template;
    const alarmActions = Object.values(json.Resources as Record<string, any>)
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
      .map((r) => r.Properties.AlarmActions);
    expect(alarmActions.length).toBeGreaterThan(10);
    for (const actions of alarmActions) expect(actions).toEqual([{ Ref: expect.stringMatching(/^Alarms/) }, operators]);
  }, 60_000);
});

describe('the staff console’s sign-in', () => {
  it('the web deployment writes /console/auth.json with the hosted UI and the PKCE web client, filled in at deploy time', () => {
    const [, deployment] = ofType('Custom::CDKBucketDeployment')[0] ?? [];
    const markers = JSON.stringify(deployment?.Properties.SourceMarkers ?? []);
    expect(markers).toMatch(/WebClient/);
    expect(markers).toMatch(/HostedSignIn/);
    expect(deployment?.Properties.SourceObjectKeys).toHaveLength(2);
  });
});

describe('cdk-nag', () => {
  it('passed the AWS Solutions, HIPAA Security and NIST 800-53 rev. 5 checks (the synth above throws on any unacknowledged finding)', () => {
    expect(resources).toBeDefined();
  });

  it('has no stale acknowledgement: each answers a finding the packs raise on that construct without it', () => {
    const acknowledged: { path: string; id: string }[] = [];
    const visit = (construct: IConstruct) => {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const id of Object.keys(entry.data as Record<string, string>))
          acknowledged.push({ path: construct.node.path, id: id.replace(/^Annotation::/, '') });
      }
      construct.node.children.forEach(visit);
    };
    visit(stack as Stack);

    // The same app with every acknowledgement ignored: what the packs find.
    const bare = mkdtempSync(join(tmpdir(), 'e-team-cdk-bare-'));
    const prototype = Validations.prototype as unknown as { acknowledge: (...args: unknown[]) => void };
    const acknowledge = prototype.acknowledge;
    prototype.acknowledge = () => undefined;
    try {
      const built = buildApp({
        outdir: bare,
        context: { 'aws:cdk:bundling-stacks': [], alarmEmail: 'oncall@example.org' },
        builtinCloudFormationValidation: false,
      });
      expect(() => built.app.synth()).toThrow();
    } finally {
      prototype.acknowledge = acknowledge;
    }
    const report = JSON.parse(readFileSync(join(bare, 'validation-report.json'), 'utf8')) as {
      pluginReports: { violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[] }[];
    };
    rmSync(bare, { recursive: true, force: true });
    const findings = report.pluginReports.flatMap((r) =>
      r.violations.flatMap((v) => v.violatingConstructs.map((c) => ({ path: c.constructPath, id: v.ruleName }))),
    );
    // CDK acknowledges some CloudFormation-validation rules itself (a log bucket's ACL); that validation is off in these synths.
    const ours = acknowledged.filter((a) => !a.id.startsWith('CloudFormation-Validate::'));
    const stale = ours.filter(
      (a) => !findings.some((f) => f.id === a.id && (f.path === a.path || f.path.startsWith(`${a.path}/`))),
    );
    expect(stale).toEqual([]);
  }, 60_000);

  it('has no blanket acknowledgement: none on the app or the stack, each on the construct it is about', () => {
    const blanket = [stack as IConstruct, stack.node.scope as IConstruct].flatMap((c) =>
      c.node.metadata.filter((e) => e.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY),
    );
    expect(blanket).toEqual([]);
  });

  it('every acknowledgement carries a written reason', () => {
    const acknowledgements: { path: string; id: string; reason: string }[] = [];
    const visit = (construct: IConstruct) => {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>))
          acknowledgements.push({ path: construct.node.path, id, reason });
      }
      construct.node.children.forEach(visit);
    };
    visit(stack as Stack);
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const ack of acknowledgements) expect(ack.reason.length, `${ack.path} ${ack.id}`).toBeGreaterThan(30);
  });
});

describe('outputs', () => {
  it('tell the operator the API URL, user pool, client, table and bus', () => {
    const outputs = Object.keys(template.toJSON().Outputs);
    expect(outputs).toEqual(
      expect.arrayContaining(['ApiUrl', 'UserPoolId', 'UserPoolClientId', 'TableName', 'EventBusName']),
    );
  });
});

describe('notifications', () => {
  const notifierId = () =>
    ofType('AWS::Lambda::Function').find(
      ([, f]) => f.Properties.FunctionName === 'e-team-dev-demo-notifier',
    )?.[0] as string;
  const roleIdOf = (functionId: string) => resources[functionId]?.Properties.Role['Fn::GetAtt'][0] as string;
  const statementsOfRole = (roleId: string) =>
    ofType('AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
  const grants = (roleId: string, action: string) =>
    statementsOfRole(roleId).some((s) => s.Effect === 'Allow' && [s.Action].flat().includes(action));

  it('grant SMS, the VAPID private key and the alarm topic to the notifier function and nobody else', () => {
    const notifier = notifierId();
    expect(notifier).toBeDefined();
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      const role = roleIdOf(id);
      expect(grants(role, 'sms-voice:SendTextMessage'), id).toBe(id === notifier);
      expect(grants(role, 'sns:Publish'), id).toBe(id === notifier);
      expect('VAPID_PRIVATE_KEY_SECRET_ARN' in fn.Properties.Environment.Variables, id).toBe(id === notifier);
      expect('VAPID_PRIVATE_KEY' in fn.Properties.Environment.Variables, id).toBe(false);
    }
    const env = resources[notifier]?.Properties.Environment.Variables;
    // The key is read at run time: its ARN in the environment, GetSecretValue on that secret for the notifier alone.
    const vapidSecret = env.VAPID_PRIVATE_KEY_SECRET_ARN.Ref as string;
    expect(resources[vapidSecret]?.Properties.Name).toBe('e-team-dev-demo/vapid-private-key');
    for (const [id] of ofType('AWS::Lambda::Function')) {
      const reads = statementsOfRole(roleIdOf(id)).some(
        (st) =>
          st.Effect === 'Allow' &&
          [st.Action].flat().includes('secretsmanager:GetSecretValue') &&
          JSON.stringify(st.Resource).includes(vapidSecret),
      );
      expect(reads, id).toBe(id === notifier);
    }
    expect(env.APP_SECRET_ARN).toEqual({ Ref: expect.stringMatching(/^AppSecret/) });
    expect(env.SCHEDULER_TARGET_ARN).toEqual(expect.objectContaining({ 'Fn::Join': expect.anything() }));
    expect(JSON.stringify(env.SCHEDULER_TARGET_ARN)).toContain(':function:e-team-dev-demo-notifier');
    expect(resources[notifier]?.Properties.ReservedConcurrentExecutions).toBe(NOTIFIER_RESERVED_CONCURRENCY);
  });

  it('route Chime meeting events from the default bus, and alert and reminder events from the bus, to the notifier', () => {
    const rules = ofType('AWS::Events::Rule').filter(
      ([, r]) => r.Properties.Targets[0].Arn['Fn::GetAtt'][0] === notifierId(),
    );
    const chime = rules.find(([, r]) => r.Properties.EventPattern.source[0] === 'aws.chime')?.[1];
    expect(chime?.Properties).toMatchObject({
      EventPattern: { source: ['aws.chime'], 'detail-type': ['Chime Meeting State Change'] },
    });
    expect(chime?.Properties.EventBusName).toBe('default');
    const domain = rules.find(([, r]) => r.Properties.EventPattern.source[0] === 'e-team.demo')?.[1];
    expect(domain?.Properties.EventPattern['detail-type']).toEqual(
      expect.arrayContaining(['AlertRaised', 'AlertAcknowledged', 'AlertResolved', 'VisitReminderDue']),
    );
    expect(domain?.Properties.Targets[0]).toMatchObject({
      DeadLetterConfig: { Arn: expect.anything() },
      RetryPolicy: { MaximumRetryAttempts: 8 },
    });
  });

  it('let Scheduler invoke the notifier for escalation steps', () => {
    const schedulerStatements = ofType('AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: any) => String(r.Ref).startsWith('SchedulerRole')))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
    const invoke = schedulerStatements.find(
      (st) =>
        [st.Action].flat().includes('lambda:InvokeFunction') && JSON.stringify(st.Resource).includes(notifierId()),
    );
    expect(invoke).toBeDefined();
  });
});
