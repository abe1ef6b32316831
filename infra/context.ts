import { z } from 'zod';

/**
 * What a deployment is parameterised by, read from CDK context (cdk.json, or
 * `npx cdk deploy -c stage=prod -c municipality=aarhus …`). See infra/README.md.
 */
// Short enough that `e-team-<stage>-<municipality>-<function>` fits Lambda's 64-character name limit.
const name = (max: number) =>
  z
    .string()
    .regex(new RegExp(`^[a-z][a-z0-9-]{1,${max - 1}}$`), `lower-case letters, digits and dashes, 2–${max} characters`);
const list = z
  .union([z.array(z.string()), z.string()])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean));

export const deploymentContextSchema = z.object({
  stage: name(10).default('dev'),
  municipality: name(20).default('demo'),
  /**
   * The AWS region of the stack. Explicit, because citizens' data must stay where the
   * municipality decided (and TableV2 with a customer-managed key needs a concrete region).
   */
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/)
    .default('eu-north-1'),
  timeZone: z.string().min(1).default('Europe/Copenhagen'),
  /** Where video media flows: one of the EU Chime media regions. */
  chimeMediaRegion: z
    .enum(['eu-central-1', 'eu-north-1', 'eu-south-1', 'eu-west-1', 'eu-west-2', 'eu-west-3'])
    .default('eu-north-1'),
  /**
   * Where the Chime SDK meetings API is called (meetings are created and managed there). Only a
   * few regions host it, eu-central-1 the one in the EU; the stack's own region need not.
   */
  chimeControlRegion: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/)
    .default('eu-central-1'),
  /** The first team; its Cognito group is `team-<team>`. More teams: see infra/README.md. */
  team: name(30).default('east'),
  /** Where alarms are e-mailed (subscribed to the alarm topic). */
  alarmEmail: z.email().optional(),
  /**
   * An SNS topic the operators already watch (on-call tool, chat); every alarm also notifies it.
   * Its access policy must let CloudWatch publish (and its key, if encrypted, be usable by CloudWatch).
   */
  alarmTopicArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:sns:[a-z]{2}(-[a-z]+)+-\d:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'an SNS topic ARN')
    .optional(),
  /** Browser origins of the web front-end. Empty: no CORS at all (same-origin or non-browser clients). */
  corsOrigins: list.default([]),
  /** Where Cognito's hosted sign-in returns the authorization code (the front-end's callback). */
  webCallbackUrls: list.default(['http://localhost:5173/auth/callback']),
  webLogoutUrls: list.default(['http://localhost:5173/']),
  /** Hosted sign-in domain prefix (`<prefix>.auth.<region>.amazoncognito.com`); must be unique in the region. */
  authDomainPrefix: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/)
    .optional(),
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
});

export type DeploymentContext = z.infer<typeof deploymentContextSchema>;

/** Reads every key of the schema from `tryGetContext`; unknown context keys are CDK's own. */
export function readDeploymentContext(tryGetContext: (key: string) => unknown): DeploymentContext {
  const raw = Object.fromEntries(Object.keys(deploymentContextSchema.shape).map((key) => [key, tryGetContext(key)]));
  const parsed = deploymentContextSchema.safeParse(
    Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== '')),
  );
  if (!parsed.success) {
    throw new Error(
      `Invalid CDK context: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  // An alarm nobody receives is no alarm: only a developer's own stage may go without a target.
  if (parsed.data.stage !== 'dev' && !parsed.data.alarmEmail && !parsed.data.alarmTopicArn) {
    throw new Error(
      `Invalid CDK context: stage ${parsed.data.stage} needs an alarm target: -c alarmEmail=<address> and/or -c alarmTopicArn=<SNS topic ARN>`,
    );
  }
  return parsed.data;
}

/** The prefix of every physical name: `e-team-<stage>-<municipality>`. */
export function resourcePrefix(context: Pick<DeploymentContext, 'stage' | 'municipality'>): string {
  return `e-team-${context.stage}-${context.municipality}`;
}
