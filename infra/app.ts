import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import { consumers } from '#shared/app/event-registry.ts';
import { streamEntities, streamModifiedEntities } from '#shared/app/stream-registry.ts';
import { jobs } from '#shared/app/job-registry.ts';
import { readDeploymentContext, type DeploymentContext } from './context.ts';
import { apiRoutes } from './routes.ts';
import { ETeamStack, type ApplicationShape } from './stack.ts';

/**
 * Reads the application's shape from its registries: the routes of every API part, the
 * recurring jobs, the consumed event types. Capabilities register theirs at import time, so
 * whatever they add appears in the stack without a change here.
 */
export function readApplicationShape(): ApplicationShape {
  return {
    routes: apiRoutes(),
    recurringJobs: Object.fromEntries(
      Object.entries(jobs).flatMap(([name, job]) => (job.every ? [[name, job.every]] : [])),
    ),
    consumedEventTypes: Object.keys(consumers)
      .filter((type) => (consumers[type]?.length ?? 0) > 0)
      .sort(),
    streamEntities: streamEntities(),
    streamModifiedEntities: streamModifiedEntities(),
  };
}

export function stackName(deployment: Pick<DeploymentContext, 'stage' | 'municipality'>): string {
  return `ETeam-${deployment.stage}-${deployment.municipality}`;
}

/**
 * The CDK app: one stack per stage and municipality, checked by cdk-nag's AWS Solutions, HIPAA
 * Security and NIST 800-53 rev. 5 packs (health data); any unacknowledged finding fails the synth.
 */
export function buildApp(props: AppProps = {}): { app: App; stack: ETeamStack; deployment: DeploymentContext } {
  const app = new App(props);
  const deployment = readDeploymentContext((key) => app.node.tryGetContext(key));
  const stack = new ETeamStack(app, stackName(deployment), {
    deployment,
    application: readApplicationShape(),
    description: `E-team care-delivery API for ${deployment.municipality} (${deployment.stage})`,
    // The region is context (data residency); the account comes from the CLI profile, so synth stays offline.
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: deployment.region },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new HIPAASecurityChecks(app), new NIST80053R5Checks(app));
  return { app, stack, deployment };
}
