import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { cognitoVerifier, localVerifier, signLocalToken } from '#shared/http/auth.ts';
import { loadConfig } from '#shared/platform/config.ts';
import { UnauthenticatedError } from '#shared/platform/errors.ts';

const poolConfig = {
  AWS_REGION: 'eu-north-1',
  COGNITO_USER_POOL_ID: 'eu-north-1_Pool',
  COGNITO_CLIENT_ID: 'client-123',
};
const issuer = `https://cognito-idp.eu-north-1.amazonaws.com/eu-north-1_Pool`;

async function cognitoSetup() {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const verifier = cognitoVerifier(poolConfig, createLocalJWKSet({ keys: [jwk] }));
  const sign = (claims: Record<string, unknown>, expiresIn = '1h') =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(issuer)
      .setSubject('stf-1')
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(privateKey);
  return { verifier, sign };
}

describe('Cognito access tokens', () => {
  it('give the roles and the team from cognito:groups', async () => {
    const { verifier, sign } = await cognitoSetup();
    const token = await sign({
      token_use: 'access',
      client_id: 'client-123',
      'cognito:groups': ['staff', 'lead', 'team-north', 'unrelated'],
    });
    await expect(verifier.verify(token)).resolves.toEqual({
      kind: 'user',
      sub: 'stf-1',
      roles: ['staff', 'lead'],
      team: 'north',
    });
  });

  it('use the user name as the caller id: a citizen tablet user is named by its citizen id', async () => {
    const { verifier, sign } = await cognitoSetup();
    const token = await sign({
      token_use: 'access',
      client_id: 'client-123',
      username: 'cit_01KAQ3Y0A2C4E6G8J0K2M4P6R8',
      'cognito:groups': ['citizen', 'team-east'],
    });
    await expect(verifier.verify(token)).resolves.toMatchObject({
      sub: 'cit_01KAQ3Y0A2C4E6G8J0K2M4P6R8',
      roles: ['citizen'],
    });
  });

  it.each([
    ['an id token', { token_use: 'id', client_id: 'client-123', 'cognito:groups': ['staff'] }],
    ['another app client', { token_use: 'access', client_id: 'other', 'cognito:groups': ['staff'] }],
    ['no groups', { token_use: 'access', client_id: 'client-123' }],
  ])('refuse %s', async (_what, claims) => {
    const { verifier, sign } = await cognitoSetup();
    await expect(verifier.verify(await sign(claims))).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it('refuse an expired token', async () => {
    const { verifier, sign } = await cognitoSetup();
    const token = await sign({ token_use: 'access', client_id: 'client-123', 'cognito:groups': ['staff'] }, '-1m');
    await expect(verifier.verify(token)).rejects.toBeInstanceOf(UnauthenticatedError);
  });
});

describe('local tokens', () => {
  it('are accepted by the local verifier and carry the team', async () => {
    const config = loadConfig({ STAGE: 'test' });
    const token = await signLocalToken(config, { sub: 'cit_x', roles: ['citizen'], team: 'west' });
    await expect(localVerifier(config).verify(token)).resolves.toMatchObject({
      sub: 'cit_x',
      roles: ['citizen'],
      team: 'west',
    });
  });

  it('are refused for another audience', async () => {
    const token = await signLocalToken(loadConfig({ STAGE: 'test', JWT_AUDIENCE: 'someone-else' }), {
      sub: 'a',
      roles: ['admin'],
    });
    await expect(localVerifier(loadConfig({ STAGE: 'test' })).verify(token)).rejects.toBeInstanceOf(
      UnauthenticatedError,
    );
  });
});

describe('configuration', () => {
  it('never lets a deployed stage accept local development tokens', () => {
    expect(() => loadConfig({ STAGE: 'prod', AUTH_MODE: 'local' })).toThrow(
      /only allowed on the local and test stages/,
    );
  });

  it('refuses a secret in the environment of a deployed stage: secrets come from APP_SECRET_ARN at run time', () => {
    const deployed = { STAGE: 'prod', AUTH_MODE: 'cognito', COGNITO_USER_POOL_ID: 'p', COGNITO_CLIENT_ID: 'c' };
    expect(() => loadConfig({ ...deployed, NATIONAL_ID_PEPPER: 'a-real-secret-from-secrets-manager' })).toThrow(
      /NATIONAL_ID_PEPPER must not be in the environment/,
    );
    expect(() => loadConfig({ ...deployed, CURSOR_KEY: 'a-real-secret-from-secrets-manager' })).toThrow(
      /CURSOR_KEY must not be in the environment/,
    );
    expect(() => loadConfig({ ...deployed, TABLET_TOKEN_KEY: 'a-real-tablet-token-key-from-secrets-manager' })).toThrow(
      /TABLET_TOKEN_KEY must not be in the environment/,
    );
    expect(
      loadConfig({ ...deployed, APP_SECRET_ARN: 'arn:aws:secretsmanager:eu-north-1:000000000000:secret:app' })
        .APP_SECRET_ARN,
    ).toMatch(/^arn:/);
  });

  it('needs the user pool in Cognito mode', () => {
    expect(() => loadConfig({ STAGE: 'prod', AUTH_MODE: 'cognito' })).toThrow(/COGNITO_USER_POOL_ID/);
    expect(
      loadConfig({ STAGE: 'prod', AUTH_MODE: 'cognito', COGNITO_USER_POOL_ID: 'p', COGNITO_CLIENT_ID: 'c' }).AUTH_MODE,
    ).toBe('cognito');
  });

  it('refuses a media region outside Europe', () => {
    expect(() => loadConfig({ CHIME_MEDIA_REGION: 'us-east-1' })).toThrow(/CHIME_MEDIA_REGION/);
  });
});
