import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { LocalSecrets, SecretsManagerSecrets, secretsManagerSource } from '#shared/platform/secrets.ts';
import { loadConfig } from '#shared/platform/config.ts';
import { ValidationError } from '#shared/platform/errors.ts';
import { encodeCursor, openCursor, sealCursor, type CursorBinding } from '#shared/table/cursor.ts';

const secretsManager = mockClient(SecretsManagerClient);
const ARN = 'arn:aws:secretsmanager:eu-north-1:000000000000:secret:e-team-app';

describe('secrets at run time', () => {
  beforeEach(() => secretsManager.reset());

  it('reads the app secret from Secrets Manager once per container (cached) and parses its JSON', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: ARN }).resolves({
      SecretString: JSON.stringify({
        nationalIdPepper: 'p'.repeat(32),
        cursorKey: 'k'.repeat(32),
        tabletTokenKey: 't'.repeat(64),
      }),
    });
    const secrets = new SecretsManagerSecrets(ARN, secretsManagerSource('eu-north-1'));
    const first = await secrets.get();
    const second = await secrets.get();
    expect(first).toEqual({
      nationalIdPepper: 'p'.repeat(32),
      cursorKey: 'k'.repeat(32),
      tabletTokenKey: 't'.repeat(64),
    });
    expect(second).toEqual(first);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('fails loudly when the secret lacks a key, rather than running with a weaker default', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ nationalIdPepper: 'p'.repeat(32) }) });
    await expect(new SecretsManagerSecrets(ARN, secretsManagerSource('eu-north-1')).get()).rejects.toThrow(
      /cursorKey, tabletTokenKey/,
    );
  });

  it('locally uses the development values of the configuration', async () => {
    const secrets = await new LocalSecrets(loadConfig({ STAGE: 'test' })).get();
    expect(secrets.nationalIdPepper).toBe('local-only-pepper-not-for-production');
    expect(secrets.cursorKey.length).toBeGreaterThanOrEqual(16);
    expect(secrets.tabletTokenKey).toBe('local-only-tablet-token-key-not-for-production');
  });
});

describe('sealed cursors', () => {
  const binding: CursorBinding = {
    method: 'GET',
    path: '/citizens',
    query: 'name=han',
    team: 'east',
    caller: 'stf-anna',
  };
  const key = 'cursor-key-for-this-test-0123456789';
  const now = new Date('2026-11-02T08:00:00Z');
  const later = new Date('2026-11-02T09:00:00Z');
  const internal =
    encodeCursor({ gsi1pk: 'TEAM#east#CITIZENS', gsi1sk: 'hansen anna#cit_01', pk: 'CITIZEN#cit_01', sk: 'PROFILE' }) ??
    '';

  it('opens for the same route, query and caller, and decodes to nothing readable', () => {
    const sealed = sealCursor(internal, binding, key, later);
    expect(openCursor(sealed, binding, key, now)).toBe(internal);
    const decoded = Buffer.from(sealed, 'base64url').toString('latin1');
    for (const leak of ['CITIZEN', 'cit_01', 'TEAM', 'east', 'PROFILE']) expect(decoded).not.toContain(leak);
  });

  it.each([
    ['another team', { ...binding, team: 'west' }],
    ['another caller', { ...binding, caller: 'stf-bo' }],
    ['another query', { ...binding, query: 'name=jen' }],
    ['another route', { ...binding, path: '/alerts' }],
  ])('is refused (400) when presented by %s', (_, other) => {
    const sealed = sealCursor(internal, binding, key, later);
    expect(() => openCursor(sealed, other, key, now)).toThrow(ValidationError);
  });

  it('is refused when altered, forged, expired or sealed with another key', () => {
    const sealed = sealCursor(internal, binding, key, later);
    const bytes = Buffer.from(sealed, 'base64url');
    bytes[20] = (bytes[20] ?? 0) ^ 1;
    expect(() => openCursor(bytes.toString('base64url'), binding, key, now)).toThrow(ValidationError);
    expect(() => openCursor(internal, binding, key, now)).toThrow(ValidationError);
    expect(() => openCursor(sealed, binding, key, new Date('2026-11-02T09:00:01Z'))).toThrow(/expired/);
    expect(() => openCursor(sealed, binding, 'another-key-entirely-0123456789', now)).toThrow(ValidationError);
    expect(() => openCursor('x', binding, key, now)).toThrow(ValidationError);
  });
});
