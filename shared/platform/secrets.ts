import * as z from '#shared/platform/zod.ts';
import type { Config } from './config.ts';

/**
 * The stage's secrets, read at run time and never from a function's environment: on AWS one
 * Secrets Manager secret (`APP_SECRET_ARN`) whose SecretString is a JSON object; locally and in
 * the tests the development values of `config` (`LocalSecrets`). Add a key to the schema when a
 * new secret is needed; the infra side only stores it.
 */
export const appSecretsSchema = z.object({
  /** Mixed into the hash that indexes national ids. */
  nationalIdPepper: z.string().min(16),
  /**
   * Only while a pepper rotation runs: the pepper before `nationalIdPepper`. Lookups that miss
   * under the current pepper try this one and move the claim (docs/pepper-rotation.md).
   */
  previousNationalIdPepper: z.string().min(16).optional(),
  /** Encrypts and authenticates pagination cursors (AES-256-GCM; any length, it is hashed to 32 bytes). */
  cursorKey: z.string().min(16),
  /** Signs and verifies paired tablets' tokens (HS256); rotating it signs every tablet out. */
  tabletTokenKey: z.string().min(32),
});
export type AppSecrets = z.infer<typeof appSecretsSchema>;

export interface Secrets {
  get(): Promise<AppSecrets>;
}

/** How long a container keeps the secret before it reads Secrets Manager again (a rotation reaches every container within this). */
export const SECRET_MAX_AGE_SECONDS = 300;

/**
 * LOCAL ONLY: the development values from `config` (defaults in config.ts). `loadConfig` refuses a
 * deployed stage without APP_SECRET_ARN, so no deployed function ever uses these.
 */
export class LocalSecrets implements Secrets {
  private readonly secrets: AppSecrets;
  constructor(
    config: Pick<Config, 'NATIONAL_ID_PEPPER' | 'CURSOR_KEY' | 'TABLET_TOKEN_KEY'> & {
      PREVIOUS_NATIONAL_ID_PEPPER?: string | undefined;
    },
  ) {
    this.secrets = appSecretsSchema.parse({
      nationalIdPepper: config.NATIONAL_ID_PEPPER,
      cursorKey: config.CURSOR_KEY,
      tabletTokenKey: config.TABLET_TOKEN_KEY,
      ...(config.PREVIOUS_NATIONAL_ID_PEPPER ? { previousNationalIdPepper: config.PREVIOUS_NATIONAL_ID_PEPPER } : {}),
    });
  }
  get(): Promise<AppSecrets> {
    return Promise.resolve(this.secrets);
  }
}

/** What the AWS implementation needs from Powertools' SecretsProvider (a seam for the tests). */
export interface SecretSource {
  /** `transform: 'json'` parses the SecretString; without it the string comes back as stored. */
  get(name: string, options: { transform?: 'json'; maxAge: number }): Promise<unknown>;
}

/**
 * Secrets Manager through Powertools Parameters: cached for SECRET_MAX_AGE_SECONDS per
 * container, so a warm function costs no call. A secret that is missing a key or not JSON fails
 * loudly (a 500 and an alarm), never with a weaker default.
 */
export class SecretsManagerSecrets implements Secrets {
  constructor(
    private readonly secretArn: string,
    private readonly source: () => Promise<SecretSource>,
  ) {}

  async get(): Promise<AppSecrets> {
    const value = await (
      await this.source()
    ).get(this.secretArn, { transform: 'json', maxAge: SECRET_MAX_AGE_SECONDS });
    const parsed = appSecretsSchema.safeParse(value);
    if (!parsed.success)
      throw new Error(`The app secret lacks ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
    return parsed.data;
  }
}

/** The SDK and Powertools are loaded on first use: a function that never needs a secret never pays for them. */
export function secretsManagerSource(region: string): () => Promise<SecretSource> {
  let provider: Promise<SecretSource> | undefined;
  return () => {
    provider ??= (async () => {
      const [{ SecretsProvider }, { SecretsManagerClient }] = await Promise.all([
        import('@aws-lambda-powertools/parameters/secrets'),
        import('@aws-sdk/client-secrets-manager'),
      ]);
      const p = new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient({ region }) });
      return {
        get: (name, options) =>
          options.transform
            ? p.get(name, { transform: options.transform, maxAge: options.maxAge })
            : p.get(name, { maxAge: options.maxAge }),
      } satisfies SecretSource;
    })().catch((error: unknown) => {
      provider = undefined;
      throw error;
    });
    return provider;
  };
}
