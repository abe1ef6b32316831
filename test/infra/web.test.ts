import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { WEB_PATH_PATTERNS } from '../../infra/constructs/web.ts';
import { WEB_PREFIXES } from '../../scripts/web-server.ts';
import { contentSecurityPolicy } from '#shared/http/web-headers.ts';

/** The web clients on AWS (infra/constructs/web.ts), from the synthesised template (cdk-nag on, bundling skipped). */
let outdir: string;
let resources: Record<string, { Type: string; Properties: any }>;
const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type);

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'e-team-web-cdk-'));
  const built = buildApp({
    outdir,
    context: { 'aws:cdk:bundling-stacks': [], alarmEmail: 'oncall@example.org' },
    builtinCloudFormationValidation: false,
  });
  resources = built.app.synth().getStackByName(built.stack.stackName).template.Resources;
}, 120_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('the web clients on S3 behind CloudFront', () => {
  it('keep the pages in a private, encrypted, TLS-only bucket that only the distribution reads (origin access control)', () => {
    const [oac] = ofType('AWS::CloudFront::OriginAccessControl');
    expect(oac?.Properties.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    const pages = Object.entries(resources).find(
      ([id, r]) => r.Type === 'AWS::S3::Bucket' && id.startsWith('WebPages'),
    )?.[1];
    expect(pages?.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(
      pages?.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault
        .SSEAlgorithm,
    ).toBe('aws:kms');
    expect(pages?.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    // The distribution reads the encrypted pages: the bucket's key lets CloudFront decrypt.
    const keyPolicies = ofType('AWS::KMS::Key').map((k) => JSON.stringify(k.Properties.KeyPolicy));
    expect(keyPolicies.some((p) => p.includes('cloudfront.amazonaws.com') && p.includes('kms:Decrypt'))).toBe(true);
    const policies = ofType('AWS::S3::BucketPolicy').map((p) => JSON.stringify(p.Properties.PolicyDocument));
    const pagesPolicy = policies.find((p) => p.includes('cloudfront.amazonaws.com'));
    expect(pagesPolicy).toContain('AWS:SourceArn');
    expect(pagesPolicy).toContain('aws:SecureTransport');
    expect(policies.join()).not.toMatch(/"Principal":"\*","Action":"s3:GetObject"/);
  });

  it('serve pages and API on one HTTPS-only origin: the web paths from the bucket with the strict CSP, the rest from the API uncached', () => {
    const [distribution] = ofType('AWS::CloudFront::Distribution');
    const config = distribution?.Properties.DistributionConfig;
    expect(config.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'https-only',
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
    });
    expect(config.DefaultCacheBehavior.AllowedMethods).toContain('POST');
    const patterns = config.CacheBehaviors.map((b: any) => b.PathPattern);
    expect(patterns.sort()).toEqual([...WEB_PATH_PATTERNS].sort());
    for (const behavior of config.CacheBehaviors) expect(behavior.ViewerProtocolPolicy).toBe('https-only');
    // Every prefix the local server serves from the build is a bucket path on AWS too.
    for (const prefix of WEB_PREFIXES)
      expect(patterns.some((p: string) => p.startsWith(prefix.replace(/\/$/, '')))).toBe(true);
    expect(config.Logging).toBeDefined();

    const [headers] = ofType('AWS::CloudFront::ResponseHeadersPolicy');
    const security = headers?.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(security.ContentSecurityPolicy.ContentSecurityPolicy).toBe(contentSecurityPolicy());
    expect(security.ContentSecurityPolicy.ContentSecurityPolicy).not.toMatch(/unsafe-inline|unsafe-eval|https:\/\/cdn/);
    expect(security.StrictTransportSecurity).toMatchObject({ IncludeSubdomains: true, Preload: true });
    expect(security.FrameOptions.FrameOption).toBe('DENY');
    expect(security.ReferrerPolicy.ReferrerPolicy).toBe('no-referrer');
  });
});
