import { Duration, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  LogGroupLogDestination,
  type CfnStage,
  type HttpRoute,
  type HttpStage,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { lambdaFunctions, type LambdaFunctionName } from '../bundling.ts';
import type { DeploymentContext } from '../context.ts';
import { routeKey } from '#shared/app/route-keys.ts';
import { publicRoutes, type ApiRoute } from '../routes.ts';
import type { ApplicationShape } from '../stack.ts';
import { LOG_RETENTION, type Functions } from './functions.ts';
import type { Identity } from './identity.ts';
import { acknowledge } from './nag.ts';

/**
 * Stage-wide API Gateway throttling (requests per second, burst). One municipality's E-team is a
 * few dozen staff and a few hundred citizen tablets: 50 rps steady is ample headroom and keeps a
 * runaway client from running up Lambda and DynamoDB costs.
 */
export const API_THROTTLE = { rateLimit: 50, burstLimit: 100 } as const;
/**
 * The device ingest route gets more: after a network or power outage thousands of dispensers
 * reconnect and resend their buffered events within seconds (resends are idempotent by event id).
 */
export const DEVICE_INGEST_THROTTLE = { rateLimit: 200, burstLimit: 1000 } as const;

export interface ApiProps {
  readonly prefix: string;
  readonly deployment: DeploymentContext;
  readonly application: ApplicationShape;
  readonly functions: Functions['functions'];
  readonly identity: Identity;
  readonly logsKey: Key;
}

/**
 * The HTTP API: routes read from the code (infra/routes.ts), each to its part's function behind
 * the user pool's JWT authorizer unless its callers bring a credential of their own; access logs
 * and throttling on the one stage. Added to the stack's own scope (see data.ts for why).
 */
export function addApi(stack: Stack, props: ApiProps): { api: HttpApi; stage: HttpStage } {
  const api = new HttpApi(stack, 'Api', {
    apiName: props.prefix,
    description: 'E-team API',
    createDefaultStage: false,
    // Only a browser front-end on another origin needs CORS; without configured origins there is none.
    ...(props.deployment.corsOrigins.length > 0
      ? {
          corsPreflight: {
            allowOrigins: props.deployment.corsOrigins,
            allowMethods: [
              CorsHttpMethod.GET,
              CorsHttpMethod.POST,
              CorsHttpMethod.PUT,
              CorsHttpMethod.PATCH,
              CorsHttpMethod.DELETE,
            ],
            allowHeaders: ['authorization', 'content-type', 'x-request-id'],
            exposeHeaders: ['x-request-id'],
            maxAge: Duration.hours(1),
          },
        }
      : {}),
  });
  const stage = addStage(stack, api, props);
  const deviceRoutes = addRoutes(api, props);
  throttleDeviceRoutes(stage, props.application, deviceRoutes);
  return { api, stage };
}

function addStage(stack: Stack, api: HttpApi, { prefix, logsKey }: ApiProps): HttpStage {
  const accessLogs = new LogGroup(stack, 'ApiAccessLogs', {
    logGroupName: `/aws/apigateway/${prefix}`,
    retention: LOG_RETENTION,
    encryptionKey: logsKey,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  return api.addStage('DefaultStage', {
    stageName: '$default',
    autoDeploy: true,
    throttle: API_THROTTLE,
    accessLogSettings: {
      destination: new LogGroupLogDestination(accessLogs),
      // No subject or body: who read what is in the audit trail, not in access logs.
      format: AccessLogFormat.custom(
        JSON.stringify({
          requestId: '$context.requestId',
          ip: '$context.identity.sourceIp',
          time: '$context.requestTime',
          method: '$context.httpMethod',
          routeKey: '$context.routeKey',
          status: '$context.status',
          responseLength: '$context.responseLength',
          latencyMs: '$context.responseLatency',
          integrationLatencyMs: '$context.integrationLatency',
          integrationError: '$context.integrationErrorMessage',
          authorizerError: '$context.authorizer.error',
        }),
      ),
    },
  });
}

/** Every public and application route; returns the device routes (their stage settings wait for them). */
function addRoutes(api: HttpApi, { application, functions, identity }: ApiProps): HttpRoute[] {
  const authorizer = new HttpUserPoolAuthorizer('Cognito', identity.userPool, {
    userPoolClients: [identity.webClient],
    identitySource: ['$request.header.Authorization'],
  });
  const integrations = new Map<LambdaFunctionName, HttpLambdaIntegration>();
  const integrationFor = (name: LambdaFunctionName) => {
    let integration = integrations.get(name);
    // One invoke permission per function for the whole API instead of one per route: a part
    // with dozens of routes would otherwise outgrow the 20 KB function policy limit.
    if (!integration)
      integrations.set(
        name,
        (integration = new HttpLambdaIntegration(`${name}Integration`, functions[name], {
          scopePermissionToRoute: false,
        })),
      );
    return integration;
  };
  const partFunction = Object.fromEntries(
    lambdaFunctions.flatMap((f) => ('apiPart' in f ? [[f.apiPart, f.name]] : [])),
  ) as Record<ApiRoute['part'], LambdaFunctionName>;

  for (const route of publicRoutes) {
    const [created] = api.addRoutes({
      path: route.path,
      methods: [HttpMethod[route.method]],
      integration: integrationFor('Public'),
    });
    if (created)
      acknowledge(created, 'AwsSolutions-APIG4', 'Public by design: health check and the API description, no data.');
  }
  const deviceRoutes: HttpRoute[] = [];
  for (const route of application.routes) {
    const target = partFunction[route.part];
    if (!target) throw new Error(`API part ${route.part} has no function in infra/bundling.ts`);
    const [created] = api.addRoutes({
      path: route.path,
      methods: [HttpMethod[route.method]],
      integration: integrationFor(target),
      ...(route.ownCredential ? {} : { authorizer }),
    });
    if (created && route.device) deviceRoutes.push(created);
    if (created && route.ownCredential) acknowledgeOwnCredential(created, route);
  }
  return deviceRoutes;
}

function acknowledgeOwnCredential(created: HttpRoute, route: ApiRoute): void {
  acknowledge(
    created,
    'AwsSolutions-APIG4',
    route.device
      ? 'Dispensers have no Cognito identity: the device-events function verifies each dispenser’s own credential (issued at registration) before accepting an event.'
      : 'Its callers cannot always send a bearer token (e.g. a calendar program subscribing to a URL): the function verifies the route’s own credential, and a bearer JWT when one is sent (shared/http/credential-routes.ts).',
  );
}

/** Per-route throttling for device ingest; the stage must wait for the routes it names. */
function throttleDeviceRoutes(stage: HttpStage, application: ApplicationShape, deviceRoutes: HttpRoute[]): void {
  const cfnStage = stage.node.defaultChild as CfnStage;
  const deviceSettings = Object.fromEntries(
    application.routes
      .filter((r) => r.device)
      .map((r) => [
        routeKey(r),
        {
          ThrottlingRateLimit: DEVICE_INGEST_THROTTLE.rateLimit,
          ThrottlingBurstLimit: DEVICE_INGEST_THROTTLE.burstLimit,
        },
      ]),
  );
  if (Object.keys(deviceSettings).length > 0) cfnStage.addPropertyOverride('RouteSettings', deviceSettings);
  for (const route of deviceRoutes) stage.node.addDependency(route);
}
