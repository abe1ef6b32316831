import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage, Duration, Fn, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
  type BehaviorOptions,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct, type IConstruct } from 'constructs';
import { contentSecurityPolicy, WEB_SECURITY_HEADERS } from '#shared/http/web-headers.ts';

/**
 * The web clients (`/tablet`, `/console`, the offline `/docs` assets) on AWS: a private S3 bucket
 * read only by CloudFront (origin access control), and one CloudFront distribution that also
 * fronts the API, so pages and API share one HTTPS origin (no CORS). The pages get the same
 * strict CSP and security headers the local server sends (shared/http/web-headers.ts); the API
 * answers for everything else, uncached. The built pages (scripts/build-web.ts) are uploaded
 * by a BucketDeployment at deploy time.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The paths the bucket serves; scripts/web-server.ts serves the same ones locally. */
export const WEB_PATH_PATTERNS = ['/tablet', '/tablet/*', '/console', '/console/*', '/assets/*', '/docs/*'] as const;

export interface WebClientProps {
  api: HttpApi;
  /** Where S3 and CloudFront write their access logs. */
  prefix: string;
  /** The staff console's sign-in: Cognito hosted UI base URL and the web app client (PKCE); written to `/console/auth.json`. */
  consoleAuth?: { domain: string; clientId: string };
}

export class WebClient extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: WebClientProps) {
    super(scope, id);
    const logs = this.addLogsBucket();
    this.bucket = this.addPagesBucket(props.prefix, logs);
    this.distribution = this.addDistribution(props, logs);
    this.addDeployment(props);
  }

  /** Access logs of the bucket and the distribution, kept 90 days. */
  private addLogsBucket(): Bucket {
    const logs = new Bucket(this, 'Logs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // CloudFront's standard logs are written with an ACL.
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      // Versioned, so a deleted or overwritten log object can still be read for its 90 days.
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(90), noncurrentVersionExpiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const logsSseS3 =
      'S3 server access logs can only be delivered to a bucket whose default encryption is SSE-S3 (SSE-KMS is not supported for log targets); the logs hold request lines of static pages, no citizen data.';
    const logsNoReplication =
      'Access logs of static pages kept 90 days; a second region holds nothing a restore needs (the pages are rebuilt from the repository).';
    acknowledgeAll(logs, [
      ['HIPAA.Security-S3DefaultEncryptionKMS', logsSseS3],
      ['NIST.800.53.R5-S3DefaultEncryptionKMS', logsSseS3],
      ['HIPAA.Security-S3BucketReplicationEnabled', logsNoReplication],
      ['NIST.800.53.R5-S3BucketReplicationEnabled', logsNoReplication],
    ]);
    return logs;
  }

  /** The built pages, under a key of their own, read only by the distribution. */
  private addPagesBucket(prefix: string, logs: Bucket): Bucket {
    const pagesKey = new Key(this, 'PagesKey', {
      description: `${prefix}: the web pages bucket`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const bucket = new Bucket(this, 'Pages', {
      encryption: BucketEncryption.KMS,
      encryptionKey: pagesKey,
      bucketKeyEnabled: true,
      // Versioned: a bad upload can be rolled back to the previous pages.
      versioned: true,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 's3/',
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    });
    const pagesNoReplication =
      'The bucket holds only the built web clients, rebuilt from the repository by every deployment (scripts/build-web.ts); no data lives only here.';
    acknowledgeAll(bucket, [
      ['HIPAA.Security-S3BucketReplicationEnabled', pagesNoReplication],
      ['NIST.800.53.R5-S3BucketReplicationEnabled', pagesNoReplication],
    ]);
    return bucket;
  }

  /** The same strict CSP and security headers the local server sends (shared/http/web-headers.ts). */
  private addPageHeaders(): ResponseHeadersPolicy {
    return new ResponseHeadersPolicy(this, 'PageHeaders', {
      comment: 'E-team web pages: strict CSP and security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy(), override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          preload: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Permissions-Policy', value: WEB_SECURITY_HEADERS['permissions-policy'], override: true },
          {
            header: 'Cross-Origin-Opener-Policy',
            value: WEB_SECURITY_HEADERS['cross-origin-opener-policy'],
            override: true,
          },
        ],
      },
    });
  }

  /** One HTTPS origin: the pages from the bucket, everything else from the API, uncached. */
  private addDistribution(props: WebClientProps, logs: Bucket): Distribution {
    const headers = this.addPageHeaders();
    const pages: BehaviorOptions = {
      origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy: CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy: headers,
      compress: true,
    };
    const apiDomain = Fn.select(2, Fn.split('/', props.api.apiEndpoint));
    const distribution = new Distribution(this, 'Distribution', {
      comment: `${props.prefix}: web clients and API on one origin`,
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
      // The API: never cached, every viewer header but Host (API Gateway routes by its own host).
      defaultBehavior: {
        origin: new HttpOrigin(apiDomain, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY }),
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
      },
      additionalBehaviors: Object.fromEntries(WEB_PATH_PATTERNS.map((pattern) => [pattern, pages])),
    });
    for (const [id, reason] of [
      [
        'AwsSolutions-CFR1',
        'Citizens and staff use the service where they are (a relative abroad may join); no geo restriction.',
      ],
      [
        'AwsSolutions-CFR2',
        'The API behind the distribution has its own throttling and authorizers; a WAF web ACL is the municipality’s choice (infra/README.md).',
      ],
      [
        'AwsSolutions-CFR4',
        'Without a custom domain the distribution uses the CloudFront certificate; with one, TLS 1.2 (2021) is the minimum configured here.',
      ],
    ] as const) {
      Validations.of(distribution).acknowledge({ id, reason });
    }
    return distribution;
  }

  /** Uploads the pages built at synth (and the console's sign-in settings) and invalidates the distribution. */
  private addDeployment(props: WebClientProps): void {
    const deployment = new BucketDeployment(this, 'Deploy', {
      sources: [
        webSource(),
        ...(props.consoleAuth
          ? [Source.jsonData('console/auth.json', { ...props.consoleAuth, scopes: ['openid', 'email', 'profile'] })]
          : []),
      ],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/tablet', '/tablet/*', '/console', '/console/*', '/docs/*'],
      prune: false,
      memoryLimit: 512,
    });
    this.acknowledgeDeploymentHandler(deployment);
  }

  private acknowledgeDeploymentHandler(deployment: BucketDeployment): void {
    // CDK's deployment handler is a singleton of the stack; its findings are named by rendered ARNs.
    const stack = Stack.of(this);
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const bucketId = stack.resolve(stack.getLogicalId(this.bucket.node.defaultChild as CfnBucket)) as string;
    const copy =
      'CDK’s BucketDeployment copies the built pages from the CDK asset bucket into the web bucket and invalidates the distribution';
    for (const [id, reason] of [
      [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'CDK’s BucketDeployment handler writes its logs with the AWS-managed basic execution role.',
      ],
      ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((action) => [
        `AwsSolutions-IAM5[Action::${action}]`,
        `${copy}: object actions on those two buckets only.`,
      ]),
      ...['kms:GenerateDataKey*', 'kms:ReEncrypt*'].map((action) => [
        `AwsSolutions-IAM5[Action::${action}]`,
        `${copy}: it encrypts the pages it writes, with the pages bucket’s own key only.`,
      ]),
      [
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-${region}/*]`,
        `${copy}: it reads the asset it was given.`,
      ],
      [`AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`, `${copy}: it writes the pages.`],
      [
        'AwsSolutions-IAM5[Resource::*]',
        'CloudFront invalidations cannot be scoped to one distribution by resource in the handler’s policy CDK generates.',
      ],
    ] as const) {
      Validations.of(deployment.handlerRole).acknowledge({ id, reason });
    }
    acknowledgeHandlerFunction(deployment, copy);
  }
}

/**
 * The handler is CDK's own singleton Lambda (the scope of its role), run by CloudFormation only
 * during a deployment; it never sees citizen data, only the built pages.
 */
function acknowledgeHandlerFunction(deployment: BucketDeployment, copy: string): void {
  const handler = deployment.handlerRole.node.scope as IConstruct;
  const deployOnly = `${copy}; it runs only while CloudFormation deploys, never on a request`;
  acknowledgeAll(handler, [
    ['AwsSolutions-L1', 'CDK’s BucketDeployment chooses its handler’s runtime; it moves with aws-cdk-lib.'],
    ['HIPAA.Security-LambdaConcurrency', `${deployOnly}, one invocation per deployment: no caller to cap.`],
    ['NIST.800.53.R5-LambdaConcurrency', `${deployOnly}, one invocation per deployment: no caller to cap.`],
    [
      'HIPAA.Security-LambdaDLQ',
      `${deployOnly}: CloudFormation receives its failure and rolls the deployment back, which is its dead-letter path.`,
    ],
    [
      'NIST.800.53.R5-LambdaDLQ',
      `${deployOnly}: CloudFormation receives its failure and rolls the deployment back, which is its dead-letter path.`,
    ],
    [
      'HIPAA.Security-LambdaInsideVPC',
      `${deployOnly}: it talks only to S3 and CloudFront, public AWS endpoints, and holds no citizen data.`,
    ],
    [
      'NIST.800.53.R5-LambdaInsideVPC',
      `${deployOnly}: it talks only to S3 and CloudFront, public AWS endpoints, and holds no citizen data.`,
    ],
  ]);
  const cdkInline =
    'CDK generates the BucketDeployment handler’s policy inline on its own role, scoped to the asset and web buckets and the invalidation.';
  acknowledgeAll(deployment.handlerRole, [
    ['HIPAA.Security-IAMNoInlinePolicy', cdkInline],
    ['NIST.800.53.R5-IAMNoInlinePolicy', cdkInline],
  ]);
}

function acknowledgeAll(scope: IConstruct, findings: readonly (readonly [string, string])[]): void {
  for (const [id, reason] of findings) Validations.of(scope).acknowledge({ id, reason });
}

/**
 * The built pages as an asset, built at synth by the project's own build (scripts/build-web.ts)
 * in a child Node process (CDK's local bundling hook is synchronous). Docker is never used.
 */
function webSource() {
  const script = ['--import', 'tsx', 'scripts/build-web.ts'];
  return Source.asset(join(root, 'web'), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('local-bundling-only'),
      command: ['node', ...script, '/asset-output'],
      local: {
        tryBundle(outputDir: string) {
          const result = spawnSync(process.execPath, [...script, outputDir], {
            cwd: root,
            stdio: ['ignore', 'inherit', 'inherit'],
          });
          if (result.status !== 0)
            throw new Error(
              `Building the web clients failed${result.error ? `: ${result.error.message}` : ''}; esbuild's messages are above.`,
            );
          return true;
        },
      },
    },
  });
}
