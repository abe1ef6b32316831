import * as z from '#shared/platform/zod.ts';

/**
 * Everything that differs between a laptop, a test run and a municipality's AWS account.
 * Read once from the environment; the CDK stack sets the same variables on every Lambda.
 */
const LOCAL_PEPPER = 'local-only-pepper-not-for-production';
const LOCAL_CURSOR_KEY = 'local-only-cursor-key-not-for-production';
const LOCAL_TABLET_TOKEN_KEY = 'local-only-tablet-token-key-not-for-production';

const configSchema = z.object({
  STAGE: z.string().min(1).default('local'),
  MUNICIPALITY: z.string().min(1).default('demo'),
  TIME_ZONE: z.string().min(1).default('Europe/Copenhagen'),
  TABLE_NAME: z.string().min(3).default('e-team'),
  AWS_REGION: z.string().min(1).default('eu-north-1'),
  DYNAMODB_ENDPOINT: z.string().url().optional(),
  /** `local`: HS256 tokens from `npm run token`; `cognito`: the user pool's JWKS. */
  AUTH_MODE: z.enum(['local', 'cognito']).default('local'),
  JWT_ISSUER: z.string().min(1).default('e-team-local'),
  JWT_AUDIENCE: z.string().min(1).default('e-team-api'),
  COGNITO_USER_POOL_ID: z.string().optional(),
  COGNITO_CLIENT_ID: z.string().optional(),
  EVENT_BUS_NAME: z.string().min(1).default('e-team-local'),
  SCHEDULE_GROUP_NAME: z.string().min(1).default('e-team-local'),
  SCHEDULER_ROLE_ARN: z.string().optional(),
  SCHEDULER_TARGET_ARN: z.string().optional(),
  /** Dead-letter queue for one-time schedules whose target could not be invoked. */
  SCHEDULER_DLQ_ARN: z.string().optional(),
  /**
   * Where the Chime SDK meetings API is called. Not every region hosts the control plane
   * (eu-north-1 does not); the media region, where audio and video flow, is separate.
   */
  CHIME_CONTROL_REGION: z.string().min(1).default('eu-central-1'),
  CHIME_MEDIA_REGION: z
    .enum(['eu-central-1', 'eu-north-1', 'eu-south-1', 'eu-west-1', 'eu-west-2', 'eu-west-3'])
    .default('eu-north-1'),
  /**
   * LOCAL AND TEST ONLY: the development secrets (`LocalSecrets`). A deployed stage reads its
   * secrets at run time from the Secrets Manager secret APP_SECRET_ARN names (`SecretsManagerSecrets`)
   * and refuses to start with a secret value in its environment.
   */
  NATIONAL_ID_PEPPER: z.string().min(16).default(LOCAL_PEPPER),
  PREVIOUS_NATIONAL_ID_PEPPER: z.string().min(16).optional(),
  CURSOR_KEY: z.string().min(16).default(LOCAL_CURSOR_KEY),
  TABLET_TOKEN_KEY: z.string().min(32).default(LOCAL_TABLET_TOKEN_KEY),
  /**
   * The ARN of the stage's app secret (JSON: nationalIdPepper, cursorKey, tabletTokenKey, …). Set only on the
   * functions that need a secret; the others cannot read it (no variable, no grant).
   */
  APP_SECRET_ARN: z.string().startsWith('arn:').optional(),
  /** How long a pagination cursor stays valid. */
  CURSOR_TTL_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(24 * 60),
  /** Travel minutes a physical visit costs on top of its own minutes (conversion figures). */
  TRAVEL_MINUTES_PER_VISIT: z.coerce.number().int().min(0).max(240).default(15),
  /** How early before its start a citizen may join a screen visit. */
  VISIT_JOIN_EARLY_MINUTES: z.coerce.number().int().min(0).max(120).default(10),
  VISIT_REMINDER_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(24 * 60)
    .default(15),
  /** Minutes a free-slot search keeps clear before and after booked visits (advice; booking does not enforce it). */
  VISIT_BUFFER_MINUTES: z.coerce.number().int().min(0).max(120).default(10),
  /** Per-team buffers overriding VISIT_BUFFER_MINUTES, e.g. `east=5,west=15`. */
  VISIT_BUFFER_MINUTES_BY_TEAM: z
    .string()
    .regex(/^([A-Za-z0-9_-]{1,40}=\d{1,3})(,[A-Za-z0-9_-]{1,40}=\d{1,3})*$/, 'team=minutes pairs separated by commas')
    .optional(),
  VISIT_HORIZON_DAYS: z.coerce.number().int().min(1).max(60).default(14),
  DOSE_ON_TIME_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(60),
  DOSE_MISSED_AFTER_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(120),
  DEVICE_SILENT_AFTER_MINUTES: z.coerce
    .number()
    .int()
    .min(5)
    .max(7 * 24 * 60)
    .default(180),
  ALERT_ESCALATE_AFTER_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  RAW_EVENT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  /**
   * How long a process may reuse a dispenser item it read to check a single-event post, instead of
   * reading it again (0: never). Within this window, on AWS, a credential replaced by another
   * function can still be answered 202 by a container that checked it just before; the stream's
   * derivation re-checks every such event against the dispenser as stored and refuses it then
   * (docs/events.md, "Device credentials on the single-event path").
   */
  DEVICE_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(730).max(3650).default(730),
  /**
   * The API's public origin (a custom domain, `https://api.e-team.example`), for absolute links
   * that leave the API, such as those in the calendar feed. Unset: the origin the request came in on.
   */
  PUBLIC_BASE_URL: z
    .string()
    .url()
    .regex(/^https?:\/\/[^/?#]+$/, 'an origin without a path, e.g. https://api.e-team.example')
    .optional(),
  /** Where the web clients are served (CloudFront), for links such as a tablet pairing QR code; else the request's origin. */
  WEB_BASE_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).default('INFO'),
  /** Where links in pushes and SMS open the staff console (`<base>/console/#/alerts/<alertId>`). */
  CONSOLE_BASE_URL: z.string().url().default('http://localhost:3000'),
  /** Web push (VAPID): the public key browsers subscribe with; the private key signs each push. */
  VAPID_PUBLIC_KEY: z.string().optional(),
  /** LOCAL ONLY: the private key itself (`npm start` generates one). On AWS the notifier reads it at run time from the secret named here. */
  VAPID_PRIVATE_KEY: z.string().optional(),
  VAPID_PRIVATE_KEY_SECRET_ARN: z.string().optional(),
  VAPID_SUBJECT: z.string().min(1).default('mailto:it-support@example.invalid'),
  /** AWS End User Messaging SMS: the phone number, sender id or pool SMS leave from. */
  SMS_ORIGINATION_IDENTITY: z.string().optional(),
  /** The CloudWatch alarm topic a fully unacknowledged escalation chain is published to. */
  ALARM_TOPIC_ARN: z.string().optional(),
  ACK_LINK_VALID_HOURS: z.coerce.number().int().min(1).max(72).default(24),
  /** Default of the per-citizen delay between a missed-dose alert and the first page. */
  MISSED_DOSE_ALERT_DELAY_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(24 * 60)
    .default(0),
  /** Default quiet period after a resolved device fault or silence: the same problem again pages nobody. */
  FAULT_QUIET_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .default(30),
  /**
   * A paired tablet that made no request for this long raises a technical `tablet_not_seen` alert
   * (to support). A day: a tablet switched off for the night is never reported.
   */
  TABLET_NOT_SEEN_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(30 * 24)
    .default(24),
});

export type Config = Readonly<z.infer<typeof configSchema>>;

export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<Config> = {},
): Config {
  // Parsed once per process: zod's compiled fast path would cost more to build than it saves (~2 ms of a cold start).
  const parsed = configSchema.safeParse(env, { jitless: true });
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${fields}`);
  }
  const config = { ...parsed.data, ...overrides };
  if (config.AUTH_MODE === 'cognito' && (!config.COGNITO_USER_POOL_ID || !config.COGNITO_CLIENT_ID)) {
    throw new Error('Invalid configuration: AUTH_MODE=cognito needs COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID');
  }
  if (config.STAGE !== 'local' && config.STAGE !== 'test' && config.AUTH_MODE === 'local') {
    // A deployed stage must never accept the locally signed development tokens.
    throw new Error('Invalid configuration: AUTH_MODE=local is only allowed on the local and test stages');
  }
  if (config.STAGE !== 'local' && config.STAGE !== 'test') {
    // A secret in a function's environment is readable by anyone who may read its configuration.
    const inEnvironment = (
      ['NATIONAL_ID_PEPPER', 'PREVIOUS_NATIONAL_ID_PEPPER', 'CURSOR_KEY', 'TABLET_TOKEN_KEY'] as const
    ).filter((name) => env[name] !== undefined);
    if (inEnvironment.length > 0)
      throw new Error(
        `Invalid configuration: ${inEnvironment.join(', ')} must not be in the environment outside the local and test stages; they are read from APP_SECRET_ARN`,
      );
  }
  return Object.freeze(config);
}
