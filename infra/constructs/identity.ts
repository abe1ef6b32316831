import { Duration, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { roles } from '#shared/platform/actor.ts';
import type { DeploymentContext } from '../context.ts';

/** Staff and citizen accounts: the user pool, a group per role and the first team, the web client, hosted sign-in. */
export interface Identity {
  readonly userPool: UserPool;
  readonly webClient: UserPoolClient;
  readonly hostedSignIn: UserPoolDomain;
}

const roleDescriptions: Record<(typeof roles)[number], string> = {
  assessor: 'Assesses readiness and grants',
  staff: 'Care worker: visits, dispensers, alerts',
  lead: 'Team lead: reports and approvals',
  citizen: 'A citizen (tablet): own visits only',
  admin: 'Administration and the audit log',
  dpo: 'Data-protection officer: the audit log of every team',
  reporting: 'Municipality reporting: the roll-up across teams and targets',
  support: 'IT support: technical alerts (device faults, silent devices)',
};
/** Municipality-wide roles, each its own group (shared/platform/actor.ts may list them too). */
const municipalityRoles: Record<string, string> = {
  dpo: 'Data-protection officer: the audit log across all teams',
  reporting: 'Municipality reporting: the cross-team roll-up',
  support: 'IT support: technical alerts, no citizen data',
};

/** Added to the stack's own scope, as every part under infra/constructs/ (see data.ts for why). */
export function addIdentity(stack: Stack, prefix: string, deployment: DeploymentContext): Identity {
  const userPool = addUserPool(stack, prefix);
  const groupDescriptions: Record<string, string> = { ...municipalityRoles, ...roleDescriptions };
  for (const role of new Set<string>([...roles, ...Object.keys(municipalityRoles)])) {
    userPool.addGroup(`Role-${role}`, { groupName: role, description: groupDescriptions[role] ?? role });
  }
  userPool.addGroup(`Team-${deployment.team}`, {
    groupName: `team-${deployment.team}`,
    description: `Members of team ${deployment.team}`,
  });
  const webClient = addWebClient(userPool, prefix, deployment);
  const hostedSignIn = userPool.addDomain('HostedSignIn', {
    cognitoDomain: { domainPrefix: deployment.authDomainPrefix ?? prefix },
  });
  return { userPool, webClient, hostedSignIn };
}

function addUserPool(stack: Stack, prefix: string): UserPool {
  return new UserPool(stack, 'Users', {
    userPoolName: prefix,
    selfSignUpEnabled: false,
    // Staff sign in with e-mail; a citizen's tablet account is created with username = citizen id.
    signInAliases: { username: true, email: true },
    autoVerify: { email: true },
    passwordPolicy: {
      minLength: 12,
      requireLowercase: true,
      requireUppercase: true,
      requireDigits: true,
      requireSymbols: true,
      tempPasswordValidity: Duration.days(3),
    },
    // Health data: Danish and EU practice is two factors for anyone who can see it. TOTP only:
    // SMS costs money, needs an SNS role and is the weaker factor.
    mfa: Mfa.REQUIRED,
    mfaSecondFactor: { otp: true, sms: false },
    // Plus plan: compromised-credential checks and adaptive authentication, enforced.
    featurePlan: FeaturePlan.PLUS,
    standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
    accountRecovery: AccountRecovery.EMAIL_ONLY,
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

function addWebClient(userPool: UserPool, prefix: string, deployment: DeploymentContext): UserPoolClient {
  return userPool.addClient('WebClient', {
    userPoolClientName: `${prefix}-web`,
    // A browser cannot keep a secret: public client, authorization code flow with PKCE.
    generateSecret: false,
    authFlows: { userSrp: true },
    oAuth: {
      flows: { authorizationCodeGrant: true, implicitCodeGrant: false },
      scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
      callbackUrls: deployment.webCallbackUrls,
      logoutUrls: deployment.webLogoutUrls,
    },
    preventUserExistenceErrors: true,
    enableTokenRevocation: true,
    accessTokenValidity: Duration.hours(1),
    idTokenValidity: Duration.hours(1),
    // About one shift: a care worker signs in once per shift.
    refreshTokenValidity: Duration.hours(12),
  });
}
