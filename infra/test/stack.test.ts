/**
 * The production stack, synthesised offline (no AWS account, no network) and asserted: buckets,
 * the upload notification, the Lambda, the load balancer, security groups, IAM (with a small policy
 * evaluator), IMDSv2 and encryption, user data, and the environment every component receives checked
 * against the project's own config schemas.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Stage } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { configSchema, thumbnailConfigSchema, workerConfigSchema } from '#config';
import { ENV_FILE_END, ENV_FILE_START, parseEnvFile, workerEnvironmentFromApi } from '../lib/runtime-files.js';
import { OUTPUT_RETENTION_TAG, THUMBNAIL_HANDLER, TOKEN_INSTANCE_TAG, UPLOAD_EVENT_PREFIX, WORKER_TAG } from '../lib/revela-stack.js';
import { names, SECRET_PARAMETERS, SettingsError } from '../lib/settings.js';
import {
  ACCOUNT,
  allowed,
  allStatements,
  CERTIFICATE,
  CONSOLE,
  REGION,
  resourcesOfType,
  roleStatements,
  type Statement,
  type Synthesized,
  synthesize,
  testSettings,
} from './support.js';

const ebs = synthesize({
  rawRetentionDays: 14,
  outputRetentionDays: 45,
  thumbnailMemoryMb: 1536,
  thumbnailTimeoutSeconds: 45,
  thumbnailReservedConcurrency: 7,
  maxWorkers: 3,
});
const rds = synthesize({ database: 'rds', consoleOrigins: [] });
const variants: Array<[string, Synthesized]> = [
  ['ebs', ebs],
  ['rds', rds],
];

const bucketName = (kind: string) => `revela-test-${kind}-${ACCOUNT}-${REGION}`;
const objectArn = (kind: string, key: string) => `arn:aws:s3:::${bucketName(kind)}/${key}`;
const TENANT_KEY = `tenants/${randomUUID()}/animals/${randomUUID()}/photos/${randomUUID()}/original`;

function bucketsByName(s: Synthesized): Map<string, Record<string, unknown>> {
  return new Map(resourcesOfType(s.json, 'AWS::S3::Bucket').map(([, props]) => [s.evaluate(props.BucketName) as string, props]));
}

function thumbnailFunction(s: Synthesized): Record<string, unknown> {
  return s.json.Resources[s.logicalId(s.stack.thumbnailFunction)].Properties!;
}

function userDataOf(s: Synthesized, type: 'AWS::EC2::Instance' | 'AWS::EC2::LaunchTemplate'): string {
  const [[, props]] = resourcesOfType(s.json, type);
  if (type === 'AWS::EC2::Instance') return s.evaluate(props.UserData) as string;
  const data = (props.LaunchTemplateData as { UserData: string }).UserData;
  return Buffer.from(data, 'base64').toString('utf8');
}

/** /etc/revela/api.env as the API instance's user data writes it (intrinsics evaluated). */
function apiEnvFile(s: Synthesized): Record<string, string> {
  const script = userDataOf(s, 'AWS::EC2::Instance');
  const start = script.indexOf(ENV_FILE_START);
  const end = script.indexOf(`\n${ENV_FILE_END}\n`, start);
  assert.ok(start >= 0 && end > start, 'the user data writes /etc/revela/api.env');
  return parseEnvFile(script.slice(start + ENV_FILE_START.length, end));
}

/** Values standing in for the SecureStrings the operator creates (infra/scripts/create-secrets.sh). */
function fakeSecrets(database: 'ebs' | 'rds'): Record<string, string> {
  const password = randomBytes(32).toString('hex');
  const host = database === 'ebs' ? '127.0.0.1' : 'db.revela-test.internal';
  return {
    ADMIN_TOKEN: randomBytes(32).toString('hex'),
    CALLBACK_SIGNING_KEY: randomBytes(32).toString('hex'),
    DATABASE_PASSWORD: password,
    DATABASE_URL: `postgres://revela:${password}@${host}:5432/revela`,
  };
}

function schemaProblems(result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }): string[] {
  return result.success ? [] : result.error!.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`);
}

describe('settings', () => {
  it('name every bad key', () => {
    assert.throws(
      () => testSettings({ environment: 'Prod!', certificateArn: 'nope', workerAmiId: 'ami-x', maxWorkers: 500 }),
      (error: Error) => {
        assert.ok(error instanceof SettingsError);
        for (const key of ['environment', 'certificateArn', 'workerAmiId', 'maxWorkers'])
          assert.match(error.message, new RegExp(`${key}:`));
        return true;
      },
    );
    assert.throws(() => testSettings({ internalPort: 3000 }), /internalPort: must differ from apiPort/);
  });

  it('accept context strings the way the CDK CLI passes them', () => {
    const settings = testSettings({ maxWorkers: '4', rdsMultiAz: 'true', consoleOrigins: 'https://a.example, https://b.example' });
    assert.equal(settings.maxWorkers, 4);
    assert.equal(settings.rdsMultiAz, true);
    assert.deepEqual(settings.consoleOrigins, ['https://a.example', 'https://b.example']);
  });
});

describe('the stack synthesises offline', () => {
  it('with no account, no lookups and no error annotations', () => {
    for (const [, s] of variants) {
      assert.deepEqual(s.stack.resolve(s.stack.account), { Ref: 'AWS::AccountId' }, 'the account is left to the CLI at deploy time');
      assert.deepEqual(Annotations.fromStack(s.stack).findError('*', Match.anyValue()), []);
      assert.equal((s.stack.node.root as Stage).synth().manifest.missing, undefined, 'no context lookups');
    }
  });
});

describe('buckets', () => {
  it('every bucket blocks public access, is encrypted at rest, enforces TLS and aborts incomplete multipart uploads after a day', () => {
    for (const [, s] of variants) {
      const buckets = resourcesOfType(s.json, 'AWS::S3::Bucket');
      assert.equal(buckets.length, 4, 'uploads, raw, processed and the access-log bucket');
      const policies = resourcesOfType(s.json, 'AWS::S3::BucketPolicy');
      for (const [id, props] of buckets) {
        assert.deepEqual(
          props.PublicAccessBlockConfiguration,
          { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
          id,
        );
        const encryption = (
          props.BucketEncryption as {
            ServerSideEncryptionConfiguration: Array<{ ServerSideEncryptionByDefault: { SSEAlgorithm: string } }>;
          }
        ).ServerSideEncryptionConfiguration;
        assert.ok(['AES256', 'aws:kms'].includes(encryption[0].ServerSideEncryptionByDefault.SSEAlgorithm), id);
        const rules = (props.LifecycleConfiguration as { Rules: Array<Record<string, unknown>> }).Rules;
        assert.ok(
          rules.some(
            (r) =>
              r.Status === 'Enabled' &&
              (r.AbortIncompleteMultipartUpload as { DaysAfterInitiation: number } | undefined)?.DaysAfterInitiation === 1,
          ),
          `${id} aborts incomplete multipart uploads after 1 day`,
        );
        const policy = policies.find(([, p]) => JSON.stringify(p.Bucket) === JSON.stringify({ Ref: id }));
        assert.ok(policy, `${id} has a bucket policy`);
        const statements = (policy[1].PolicyDocument as { Statement: Statement[] }).Statement;
        assert.ok(
          statements.some(
            (st) =>
              st.Effect === 'Deny' &&
              st.Action === 's3:*' &&
              JSON.stringify(st.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
          ),
          `${id} denies every request without TLS`,
        );
      }
    }
  });

  it('RAW expires after rawRetentionDays, job outputs after outputRetentionDays, clinic originals and renditions never', () => {
    const buckets = bucketsByName(ebs);
    const rules = (kind: string) =>
      (buckets.get(bucketName(kind))!.LifecycleConfiguration as { Rules: Array<Record<string, unknown>> }).Rules;
    assert.deepEqual(
      rules('raw')
        .filter((r) => r.ExpirationInDays)
        .map((r) => [r.ExpirationInDays, r.Prefix, r.TagFilters]),
      [[14, undefined, undefined]],
    );
    assert.deepEqual(
      rules('processed')
        .filter((r) => r.ExpirationInDays)
        .map((r) => [r.ExpirationInDays, r.TagFilters]),
      [[45, [{ Key: OUTPUT_RETENTION_TAG.key, Value: OUTPUT_RETENTION_TAG.value }]]],
      'only objects tagged as job outputs expire in the processed bucket',
    );
    assert.deepEqual(
      rules('uploads').filter((r) => r.ExpirationInDays),
      [],
    );
  });

  it('browser uploads from the console origin: PUT on uploads and raw (ETag exposed for multipart), GET on processed', () => {
    const buckets = bucketsByName(ebs);
    const cors = (kind: string) =>
      (buckets.get(bucketName(kind))!.CorsConfiguration as { CorsRules: Array<Record<string, unknown>> } | undefined)?.CorsRules;
    assert.deepEqual(
      cors('uploads')?.map((r) => [r.AllowedOrigins, r.AllowedMethods]),
      [[[CONSOLE], ['PUT']]],
    );
    assert.deepEqual(
      cors('raw')?.map((r) => [r.AllowedOrigins, r.AllowedMethods, r.ExposedHeaders]),
      [[[CONSOLE], ['PUT'], ['ETag']]],
    );
    assert.deepEqual(
      cors('processed')?.map((r) => [r.AllowedOrigins, r.AllowedMethods]),
      [[[CONSOLE], ['GET', 'HEAD']]],
    );
    assert.equal(cors('logs'), undefined);
    for (const props of bucketsByName(rds).values()) assert.equal(props.CorsConfiguration, undefined, 'no origin, no CORS');
  });

  it('data buckets log their access to the log bucket', () => {
    const buckets = bucketsByName(ebs);
    for (const kind of ['uploads', 'raw', 'processed']) {
      const logging = buckets.get(bucketName(kind))!.LoggingConfiguration as { DestinationBucketName: unknown; LogFilePrefix: string };
      assert.equal(ebs.evaluate(logging.DestinationBucketName), bucketName('logs'));
      assert.equal(logging.LogFilePrefix, `s3/${kind}/`);
    }
  });
});

describe('the thumbnail Lambda', () => {
  const functionId = ebs.logicalId(ebs.stack.thumbnailFunction);
  const fn = thumbnailFunction(ebs);

  it('fires on ObjectCreated under tenants/ in the uploads bucket only, through a permission bound to that bucket and account', () => {
    for (const [name, props] of bucketsByName(ebs)) {
      if (name !== bucketName('uploads')) assert.equal(props.NotificationConfiguration, undefined, `${name} notifies nothing`);
    }
    const notification = ebs.evaluate(bucketsByName(ebs).get(bucketName('uploads'))!.NotificationConfiguration) as {
      LambdaConfigurations: unknown[];
    };
    assert.deepEqual(notification.LambdaConfigurations, [
      {
        Event: 's3:ObjectCreated:*',
        Function: ebs.evaluate({ 'Fn::GetAtt': [functionId, 'Arn'] }),
        Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: UPLOAD_EVENT_PREFIX }] } },
      },
    ]);
    const [[permissionId, permission]] = resourcesOfType(ebs.json, 'AWS::Lambda::Permission');
    assert.deepEqual(ebs.evaluate(permission), {
      Action: 'lambda:InvokeFunction',
      FunctionName: ebs.evaluate({ 'Fn::GetAtt': [functionId, 'Arn'] }),
      Principal: 's3.amazonaws.com',
      SourceArn: `arn:aws:s3:::${bucketName('uploads')}`,
      SourceAccount: ACCOUNT,
    });
    const [uploadsId] = Object.entries(ebs.json.Resources).find(
      ([, r]) => r.Type === 'AWS::S3::Bucket' && ebs.evaluate(r.Properties!.BucketName) === bucketName('uploads'),
    )!;
    assert.ok(ebs.json.Resources[uploadsId].DependsOn?.includes(permissionId), 'the bucket is configured after S3 may invoke the function');
    assert.equal(
      resourcesOfType(ebs.json, 'Custom::S3BucketNotifications').length,
      0,
      "no notifications custom resource (its role would need PutBucketNotification on '*')",
    );
  });

  it('runs nodejs24.x with the bundle, the settings and an on-failure dead-letter queue with an alarm', () => {
    assert.equal(fn.Runtime, 'nodejs24.x');
    assert.equal(fn.Handler, THUMBNAIL_HANDLER);
    assert.deepEqual(fn.Architectures, ['x86_64']);
    assert.equal(fn.MemorySize, 1536);
    assert.equal(fn.Timeout, 45);
    assert.equal(fn.ReservedConcurrentExecutions, 7);
    assert.ok((fn.VpcConfig as { SubnetIds: unknown[] }).SubnetIds.length === 2, 'in the VPC, to reach the internal listener');
    const [[, invokeConfig]] = resourcesOfType(ebs.json, 'AWS::Lambda::EventInvokeConfig');
    assert.equal(invokeConfig.MaximumRetryAttempts, 2);
    const [[queueId]] = resourcesOfType(ebs.json, 'AWS::SQS::Queue');
    assert.deepEqual((invokeConfig.DestinationConfig as { OnFailure: unknown }).OnFailure, {
      Destination: { 'Fn::GetAtt': [queueId, 'Arn'] },
    });
    ebs.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      AlarmActions: Match.anyValue(),
    });
    ebs.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
    });
  });
});

describe('the load balancer', () => {
  it('terminates HTTPS with the certificate and forwards only to the API public port; /internal/* is answered, never forwarded; HTTP redirects', () => {
    const listeners = resourcesOfType(ebs.json, 'AWS::ElasticLoadBalancingV2::Listener').map(([, p]) => p);
    const https = listeners.find((l) => l.Port === 443)!;
    assert.equal(https.Protocol, 'HTTPS');
    assert.deepEqual(https.Certificates, [{ CertificateArn: CERTIFICATE }]);
    const [[groupId, group]] = resourcesOfType(ebs.json, 'AWS::ElasticLoadBalancingV2::TargetGroup');
    assert.deepEqual(https.DefaultActions, [{ Type: 'forward', TargetGroupArn: { Ref: groupId } }]);
    assert.equal(group.Port, 3000);
    assert.deepEqual(
      (group.Targets as Array<{ Port: number }>).map((t) => t.Port),
      [3000],
    );
    const http = listeners.find((l) => l.Port === 80)!;
    assert.equal((http.DefaultActions as Array<{ Type: string }>)[0].Type, 'redirect');
    assert.equal(listeners.length, 2);

    const rules = resourcesOfType(ebs.json, 'AWS::ElasticLoadBalancingV2::ListenerRule').map(([, p]) => p);
    assert.equal(rules.length, 1);
    assert.deepEqual(rules[0].Conditions, [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/internal', '/internal/*'] } }]);
    assert.equal(
      (rules[0].Actions as Array<{ Type: string; FixedResponseConfig: { StatusCode: string } }>)[0].FixedResponseConfig.StatusCode,
      '404',
    );
    // The target group is the only forward target anywhere: nothing reaches the internal port through the load balancer.
    const forwards = JSON.stringify([...listeners, ...rules]).match(/TargetGroupArn/g) ?? [];
    assert.equal(forwards.length, 1);
  });
});

describe('security groups', () => {
  type Rule = string;
  /** Every rule as "direction group port peer", with security groups and prefix lists by name. */
  function rules(s: Synthesized): Set<Rule> {
    const groups = new Map(
      resourcesOfType(s.json, 'AWS::EC2::SecurityGroup').map(([id]) => [
        s.evaluate({ 'Fn::GetAtt': [id, 'GroupId'] }) as string,
        id.replace(/SecurityGroup.*$/, ''),
      ]),
    );
    const name = (value: unknown) => {
      const v = s.evaluate(value) as string;
      return groups.get(v) ?? (v.startsWith('S3PrefixList') ? 's3-prefix-list' : v);
    };
    const out = new Set<Rule>();
    const add = (direction: string, group: string, rule: Record<string, unknown>) => {
      if (rule.CidrIp === '255.255.255.255/32') return; // CDK's "no traffic" placeholder
      const peer =
        rule.CidrIp ??
        (rule.SourceSecurityGroupId
          ? name(rule.SourceSecurityGroupId)
          : rule.DestinationSecurityGroupId
            ? name(rule.DestinationSecurityGroupId)
            : name(rule.DestinationPrefixListId));
      out.add(`${direction} ${group} ${rule.IpProtocol}/${rule.FromPort} ${peer}`);
    };
    for (const [id, props] of resourcesOfType(s.json, 'AWS::EC2::SecurityGroup')) {
      const group = id.replace(/SecurityGroup.*$/, '');
      for (const rule of (props.SecurityGroupIngress ?? []) as Array<Record<string, unknown>>) add('in', group, rule);
      for (const rule of (props.SecurityGroupEgress ?? []) as Array<Record<string, unknown>>) add('out', group, rule);
    }
    for (const [, props] of resourcesOfType(s.json, 'AWS::EC2::SecurityGroupIngress')) add('in', name(props.GroupId), props);
    for (const [, props] of resourcesOfType(s.json, 'AWS::EC2::SecurityGroupEgress')) add('out', name(props.GroupId), props);
    return out;
  }

  const common = [
    'in Alb tcp/443 0.0.0.0/0',
    'in Alb tcp/80 0.0.0.0/0',
    'out Alb tcp/3000 Api',
    'in Api tcp/3000 Alb',
    'out Api tcp/443 0.0.0.0/0',
    'in Api tcp/3001 Thumbnail',
    'in Api tcp/3001 Worker',
    'out Thumbnail tcp/3001 Api',
    'out Thumbnail tcp/443 s3-prefix-list',
    'out Thumbnail tcp/443 SsmEndpoint',
    'out Worker tcp/3001 Api',
    'out Worker tcp/443 s3-prefix-list',
    'out Worker tcp/443 SsmEndpoint',
    'in SsmEndpoint tcp/443 Thumbnail',
    'in SsmEndpoint tcp/443 Worker',
    'in SsmEndpoint tcp/443 Api',
  ];

  it('allow exactly the designed paths (PostgreSQL on the API instance listens on loopback: no rule at all)', () => {
    assert.deepEqual([...rules(ebs)].sort(), [...common].sort());
  });

  it('with RDS, PostgreSQL is reachable from the API only', () => {
    assert.deepEqual([...rules(rds)].sort(), [...common, 'in Database tcp/5432 Api', 'out Api tcp/5432 Database'].sort());
    const [[, db]] = resourcesOfType(rds.json, 'AWS::RDS::DBInstance');
    assert.equal(db.PubliclyAccessible, false);
    assert.equal(db.StorageEncrypted, true);
  });

  it('workers and the Lambda live in isolated subnets (no route out but S3 and the VPC)', () => {
    const isolated = new Set(ebs.stack.vpc.isolatedSubnets.map((subnet) => ebs.evaluate(ebs.stack.resolve(subnet.subnetId)) as string));
    const [[, template]] = resourcesOfType(ebs.json, 'AWS::EC2::LaunchTemplate');
    const network = (
      ebs.evaluate(template.LaunchTemplateData) as { NetworkInterfaces: Array<{ SubnetId: string; AssociatePublicIpAddress: boolean }> }
    ).NetworkInterfaces;
    assert.ok(isolated.has(network[0].SubnetId));
    assert.equal(network[0].AssociatePublicIpAddress, false);
    const fn = thumbnailFunction(ebs);
    for (const subnet of ebs.evaluate((fn.VpcConfig as { SubnetIds: unknown }).SubnetIds) as string[]) assert.ok(isolated.has(subnet));
  });
});

describe('IAM', () => {
  const READ_ONLY_ON_STAR = /^ec2:Describe[A-Za-z]+$/;

  it('no Allow statement has Action "*" (or a service wildcard), nor Resource "*" except read-only Describe actions AWS requires on "*"', () => {
    for (const [, s] of variants) {
      for (const { holder, statement } of allStatements(s.json)) {
        if (statement.Effect !== 'Allow') continue;
        for (const action of [statement.Action].flat())
          assert.ok(!action.includes('*'), `${holder} ${statement.Sid ?? ''}: action ${action}`);
        if ([statement.Resource].flat().includes('*')) {
          for (const action of [statement.Action].flat())
            assert.match(action, READ_ONLY_ON_STAR, `${holder} ${statement.Sid ?? ''} allows ${action} on "*"`);
        }
      }
    }
  });

  it("AWS managed policies: only Lambda's VPC execution policy (thumbnail) and basic execution (CDK's two deploy-time functions)", () => {
    const attached = resourcesOfType(ebs.json, 'AWS::IAM::Role').flatMap(([, p]) =>
      (ebs.evaluate(p.ManagedPolicyArns ?? []) as string[]).map((arn) => arn.replace(/^arn:aws:iam::aws:policy\//, '')),
    );
    assert.deepEqual(attached.sort(), [
      'service-role/AWSLambdaBasicExecutionRole',
      'service-role/AWSLambdaBasicExecutionRole',
      'service-role/AWSLambdaVPCAccessExecutionRole',
    ]);
  });

  describe('the API role', () => {
    const api = roleStatements(ebs.json, ebs.logicalId(ebs.stack.apiRole));
    const template = ebs.evaluate({ Ref: ebs.stack.getLogicalId(ebs.stack.launchTemplate) }) as string;
    const templateArn = `arn:aws:ec2:${REGION}:${ACCOUNT}:launch-template/${template}`;
    const instance = `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0`;
    const launch = (resource: string, context: Record<string, string>) => allowed(api, { action: 'ec2:RunInstances', resource, context });
    const workerTag = { [`aws:RequestTag/${WORKER_TAG.key}`]: WORKER_TAG.value };

    it('launches workers only from the launch template, and only with the worker tag', () => {
      assert.ok(launch(templateArn, {}));
      assert.ok(!launch(`arn:aws:ec2:${REGION}:${ACCOUNT}:launch-template/lt-0ffffffffffffffff`, {}));
      assert.ok(launch(instance, { 'ec2:LaunchTemplate': templateArn, ...workerTag }));
      assert.ok(!launch(instance, { 'ec2:LaunchTemplate': templateArn }), 'untagged');
      assert.ok(!launch(instance, { 'ec2:LaunchTemplate': templateArn, [`aws:RequestTag/${WORKER_TAG.key}`]: 'api' }), 'another role');
      assert.ok(!launch(instance, workerTag), 'without the template');
      assert.ok(
        !launch(instance, { 'ec2:LaunchTemplate': `arn:aws:ec2:${REGION}:${ACCOUNT}:launch-template/lt-0ffffffffffffffff`, ...workerTag }),
        'another template',
      );
      const otherImage = `arn:aws:ec2:${REGION}::image/ami-0fffffffffffffff0`;
      assert.ok(!launch(otherImage, { 'ec2:LaunchTemplate': templateArn }), 'another image');
      assert.ok(launch(`arn:aws:ec2:${REGION}::image/ami-0123456789abcdef0`, { 'ec2:LaunchTemplate': templateArn }));
      const otherSubnet = `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/subnet-0fffffffffffffff0`;
      assert.ok(!launch(otherSubnet, { 'ec2:LaunchTemplate': templateArn }), 'another subnet');
      // Every statement that allows RunInstances is bound to the template (by resource or condition).
      for (const st of api.filter((st) => [st.Action].flat().includes('ec2:RunInstances'))) {
        assert.ok(
          [st.Resource].flat().every((r) => r === templateArn) || st.Condition?.ArnLike?.['ec2:LaunchTemplate'] === templateArn,
          st.Sid,
        );
      }
    });

    it('tags only at launch, terminates only workers of this template, passes only the worker role', () => {
      assert.ok(allowed(api, { action: 'ec2:CreateTags', resource: instance, context: { 'ec2:CreateAction': 'RunInstances' } }));
      assert.ok(!allowed(api, { action: 'ec2:CreateTags', resource: instance, context: {} }));
      const tags = { [`aws:ResourceTag/${WORKER_TAG.key}`]: WORKER_TAG.value, 'aws:ResourceTag/aws:ec2launchtemplate:id': template };
      assert.ok(allowed(api, { action: 'ec2:TerminateInstances', resource: instance, context: tags }));
      assert.ok(
        !allowed(api, {
          action: 'ec2:TerminateInstances',
          resource: instance,
          context: { ...tags, [`aws:ResourceTag/${WORKER_TAG.key}`]: 'api' },
        }),
      );
      assert.ok(
        !allowed(api, {
          action: 'ec2:TerminateInstances',
          resource: instance,
          context: { ...tags, 'aws:ResourceTag/aws:ec2launchtemplate:id': 'lt-0ffffffffffffffff' },
        }),
      );
      const workerRole = ebs.evaluate({ 'Fn::GetAtt': [ebs.logicalId(ebs.stack.workerRole), 'Arn'] }) as string;
      const apiRole = ebs.evaluate({ 'Fn::GetAtt': [ebs.logicalId(ebs.stack.apiRole), 'Arn'] }) as string;
      assert.ok(allowed(api, { action: 'iam:PassRole', resource: workerRole, context: { 'iam:PassedToService': 'ec2.amazonaws.com' } }));
      assert.ok(!allowed(api, { action: 'iam:PassRole', resource: apiRole, context: { 'iam:PassedToService': 'ec2.amazonaws.com' } }));
      assert.ok(allowed(api, { action: 'ec2:DescribeInstances', resource: '*' }));
    });

    it('writes worker tokens and reads its configuration, each only under its own path', () => {
      const parameter = (p: string) => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${p}`;
      const n = names({ environment: 'test' });
      for (const action of ['ssm:PutParameter', 'ssm:DeleteParameter', 'ssm:AddTagsToResource']) {
        assert.ok(allowed(api, { action, resource: parameter(`${n.workerTokenPath}/${randomUUID()}`) }), action);
        assert.ok(!allowed(api, { action, resource: parameter(`${n.configPath}/ADMIN_TOKEN`) }), `${action} on config`);
        assert.ok(
          !allowed(api, { action, resource: parameter(`/revela/prod/worker-tokens/${randomUUID()}`) }),
          `${action} in another environment`,
        );
      }
      assert.ok(allowed(api, { action: 'ssm:GetParameter', resource: parameter(`${n.configPath}/ADMIN_TOKEN`) }));
      assert.ok(allowed(api, { action: 'ssm:GetParametersByPath', resource: parameter(n.configPath) }));
      assert.ok(
        !allowed(api, { action: 'ssm:GetParameter', resource: parameter(`${n.workerTokenPath}/${randomUUID()}`) }),
        'the API never reads tokens back',
      );
      assert.ok(!allowed(api, { action: 'ssm:GetParameter', resource: parameter('/revela/prod/config/ADMIN_TOKEN') }));
    });

    it('uses each bucket with only the actions it needs', () => {
      const can = (action: string, resource: string) => allowed(api, { action, resource });
      const matrix: Array<[string, string, string[]]> = [
        ['uploads', TENANT_KEY, ['s3:PutObject', 's3:GetObject', 's3:DeleteObject', 's3:AbortMultipartUpload']],
        ['raw', TENANT_KEY, ['s3:PutObject', 's3:GetObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts']],
        ['processed', TENANT_KEY, ['s3:PutObject', 's3:GetObject', 's3:DeleteObject', 's3:PutObjectTagging']],
      ];
      const objectActions = [
        's3:PutObject',
        's3:GetObject',
        's3:DeleteObject',
        's3:AbortMultipartUpload',
        's3:ListMultipartUploadParts',
        's3:PutObjectTagging',
        's3:PutObjectAcl',
        's3:GetObjectAcl',
      ];
      for (const [kind, key, granted] of matrix) {
        for (const action of objectActions)
          assert.equal(can(action, objectArn(kind, key)), granted.includes(action), `${action} on ${kind}`);
        assert.ok(!can('s3:GetObject', objectArn(kind, 'outside-the-tenant-prefix')), `${kind} outside tenants/`);
        assert.ok(can('s3:ListBucket', `arn:aws:s3:::${bucketName(kind)}`), `ListBucket on ${kind} (readiness HeadBucket)`);
        assert.equal(can('s3:ListBucketMultipartUploads', `arn:aws:s3:::${bucketName(kind)}`), kind === 'raw');
        assert.ok(!can('s3:PutBucketPolicy', `arn:aws:s3:::${bucketName(kind)}`));
      }
      assert.ok(!can('s3:GetObject', objectArn('logs', 'alb/x')), 'not the log bucket');
    });
  });

  it('the worker role can read its own token parameter and nothing else', () => {
    const worker = roleStatements(ebs.json, ebs.logicalId(ebs.stack.workerRole));
    const self = `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0aaaaaaaaaaaaaaaa`;
    const token = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/revela/test/worker-tokens/${randomUUID()}`;
    const read = (resource: string, tagged: string) =>
      allowed(worker, {
        action: 'ssm:GetParameter',
        resource,
        context: { 'ec2:SourceInstanceARN': self, [`ssm:resourceTag/${TOKEN_INSTANCE_TAG}`]: tagged },
      });
    assert.ok(read(token, self));
    assert.ok(!read(token, `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0bbbbbbbbbbbbbbbb`), "another instance's token");
    assert.ok(!read(`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/revela/test/config/ADMIN_TOKEN`, self), 'the configuration');
    assert.deepEqual(
      worker.flatMap((st) => [st.Action].flat()),
      ['ssm:GetParameter'],
      'one action in all',
    );
  });

  it('the thumbnail role reads uploads, writes processed, reads its signing key, and nothing more', () => {
    const role = roleStatements(ebs.json, ebs.logicalId(ebs.stack.thumbnailRole));
    const can = (action: string, resource: string) => allowed(role, { action, resource });
    assert.ok(can('s3:GetObject', objectArn('uploads', TENANT_KEY)));
    assert.ok(!can('s3:PutObject', objectArn('uploads', TENANT_KEY)), 'it cannot write where it is triggered');
    assert.ok(can('s3:PutObject', objectArn('processed', TENANT_KEY)));
    assert.ok(!can('s3:GetObject', objectArn('processed', TENANT_KEY)));
    assert.ok(!can('s3:DeleteObject', objectArn('uploads', TENANT_KEY)));
    assert.ok(!can('s3:GetObject', objectArn('raw', TENANT_KEY)));
    assert.ok(can('ssm:GetParameter', `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/revela/test/config/CALLBACK_SIGNING_KEY`));
    assert.ok(!can('ssm:GetParameter', `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/revela/test/config/ADMIN_TOKEN`));
  });
});

describe('instances and volumes', () => {
  it('IMDSv2 is required on the API instance and the worker template; workers terminate on shutdown', () => {
    for (const [, s] of variants) {
      const [[, api]] = resourcesOfType(s.json, 'AWS::EC2::Instance');
      assert.equal((api.MetadataOptions as { HttpTokens: string }).HttpTokens, 'required');
      const [[, template]] = resourcesOfType(s.json, 'AWS::EC2::LaunchTemplate');
      const data = template.LaunchTemplateData as Record<string, Record<string, unknown> | string>;
      assert.equal((data.MetadataOptions as Record<string, unknown>).HttpTokens, 'required');
      assert.equal((data.MetadataOptions as Record<string, unknown>).HttpPutResponseHopLimit, 1);
      assert.equal(data.InstanceInitiatedShutdownBehavior, 'terminate');
      assert.equal(data.ImageId, 'ami-0123456789abcdef0');
      const profile = s.evaluate(data.IamInstanceProfile) as { Arn: string };
      assert.match(profile.Arn, /instance-profile\/WorkerInstanceProfile/);
    }
  });

  it('every volume is encrypted; the PostgreSQL volume is snapshotted daily and on deletion', () => {
    for (const [, s] of variants) {
      const [[, api]] = resourcesOfType(s.json, 'AWS::EC2::Instance');
      const [[, template]] = resourcesOfType(s.json, 'AWS::EC2::LaunchTemplate');
      const mappings = [
        ...(api.BlockDeviceMappings as Array<{ Ebs: Record<string, unknown> }>),
        ...(template.LaunchTemplateData as { BlockDeviceMappings: Array<{ Ebs: Record<string, unknown> }> }).BlockDeviceMappings,
      ];
      for (const mapping of mappings) assert.equal(mapping.Ebs.Encrypted, true);
      for (const [, volume] of resourcesOfType(s.json, 'AWS::EC2::Volume')) assert.equal(volume.Encrypted, true);
    }
    const [[volumeId, volume]] = resourcesOfType(ebs.json, 'AWS::EC2::Volume');
    assert.equal(volume.VolumeType, 'gp3');
    assert.equal(ebs.json.Resources[volumeId].DeletionPolicy, 'Snapshot');
    assert.equal(ebs.json.Resources[volumeId].UpdateReplacePolicy, 'Snapshot');
    const tags = volume.Tags as Array<{ Key: string; Value: string }>;
    const [[, policy]] = resourcesOfType(ebs.json, 'AWS::DLM::LifecyclePolicy');
    const details = policy.PolicyDetails as {
      TargetTags: Array<{ Key: string; Value: string }>;
      Schedules: Array<{ CreateRule: { Interval: number; IntervalUnit: string }; RetainRule: { Count: number } }>;
    };
    for (const tag of details.TargetTags)
      assert.ok(
        tags.some((t) => t.Key === tag.Key && t.Value === tag.Value),
        'the policy targets the volume',
      );
    assert.deepEqual(
      [details.Schedules[0].CreateRule.Interval, details.Schedules[0].CreateRule.IntervalUnit, details.Schedules[0].RetainRule.Count],
      [24, 'HOURS', 7],
    );
    assert.equal(policy.State, 'ENABLED');
    assert.equal(resourcesOfType(rds.json, 'AWS::DLM::LifecyclePolicy').length, 0, 'RDS keeps its own backups');
  });

  it('user data holds no secret', () => {
    const secretKeys = new RegExp(`\\b(${SECRET_PARAMETERS.join('|')})=`);
    for (const [, s] of variants) {
      for (const script of [userDataOf(s, 'AWS::EC2::Instance'), userDataOf(s, 'AWS::EC2::LaunchTemplate')]) {
        assert.doesNotMatch(script, secretKeys);
        assert.doesNotMatch(script, /resolve:ssm-secure|resolve:secretsmanager/);
      }
      for (const key of SECRET_PARAMETERS) assert.equal(apiEnvFile(s)[key], undefined);
      assert.equal(s.stack.thumbnailEnvironment.CALLBACK_SIGNING_KEY, undefined, 'the Lambda reads its key from SSM');
    }
    // The only secret reference in any template: RDS's master password, resolved by CloudFormation.
    assert.doesNotMatch(JSON.stringify(ebs.json), /ssm-secure/);
    assert.equal(
      JSON.stringify(rds.json)
        .match(/resolve:ssm-secure:[^}]+/g)
        ?.join(),
      'resolve:ssm-secure:/revela/test/config/DATABASE_PASSWORD',
    );
  });
});

describe('each component gets an environment the project accepts (config schemas from #config)', () => {
  for (const [database, s] of variants) {
    it(`the API (${database}): its env file plus the SSM secrets pass configSchema with RUNTIME=aws`, () => {
      const env = apiEnvFile(s);
      assert.equal(env.RUNTIME, 'aws');
      assert.equal(env.WORKER_LAUNCHER, 'ec2');
      assert.equal(env.SSM_PARAMETER_PREFIX, '/revela/test/config/');
      const parsed = configSchema.safeParse({ ...env, ...fakeSecrets(database as 'ebs' | 'rds') });
      assert.deepEqual(schemaProblems(parsed), []);
      assert.equal(parsed.data!.INTERNAL_PORT, 3001);
      assert.notEqual(parsed.data!.INTERNAL_PORT, parsed.data!.PORT, 'internal routes on their own port');
    });
  }

  it('the thumbnail Lambda: its environment passes thumbnailConfigSchema', () => {
    const fn = thumbnailFunction(ebs);
    const env = ebs.evaluate((fn.Environment as { Variables: unknown }).Variables) as Record<string, string>;
    assert.deepEqual(schemaProblems(thumbnailConfigSchema.safeParse({ ...env, AWS_REGION: REGION })), []);
    assert.equal(env.PUBLIC_API_URL, apiEnvFile(ebs).INTERNAL_API_URL, 'reports go to the internal listener');
    assert.equal(env.BUCKET_UPLOADS, bucketName('uploads'));
  });

  it('a batch worker: the unit in the image plus the env file the API writes pass workerConfigSchema', () => {
    const unit = readFileSync(path.resolve('infra/ami/revela-batch-worker.service'), 'utf8');
    const fromUnit = Object.fromEntries([...unit.matchAll(/^Environment=([A-Z_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
    assert.match(unit, /^EnvironmentFile=\/etc\/revela\/worker\.env$/m);
    const env = { ...fromUnit, ...workerEnvironmentFromApi(apiEnvFile(ebs), randomUUID()) };
    assert.equal(env.WORKER_TOKEN_PARAMETER.startsWith('/revela/test/worker-tokens/'), true);
    for (const key of SECRET_PARAMETERS) assert.equal((env as Record<string, string>)[key], undefined, `a worker never gets ${key}`);
    assert.deepEqual(schemaProblems(workerConfigSchema.safeParse(env)), []);
  });
});

describe('alarms and logs', () => {
  it('alarm on Lambda errors, dead letters, API 5xx (target and load balancer), health, and more vCPUs than the API plus MAX_WORKERS', () => {
    const alarms = resourcesOfType(ebs.json, 'AWS::CloudWatch::Alarm').map(([, p]) => p);
    const metric = (namespace: string, name: string) => alarms.find((a) => a.Namespace === namespace && a.MetricName === name);
    assert.ok(metric('AWS/Lambda', 'Errors'));
    assert.ok(metric('AWS/SQS', 'ApproximateNumberOfMessagesVisible'));
    assert.ok(metric('AWS/ApplicationELB', 'HTTPCode_Target_5XX_Count'));
    assert.ok(metric('AWS/ApplicationELB', 'HTTPCode_ELB_5XX_Count'));
    assert.ok(metric('AWS/ApplicationELB', 'HealthyHostCount'));
    const workers = metric('AWS/Usage', 'ResourceCount')!;
    assert.equal(workers.Threshold, 2 + 3 * 2, 'API vCPUs + maxWorkers × worker vCPUs');
    assert.equal(workers.ComparisonOperator, 'GreaterThanThreshold');
    for (const alarm of alarms) assert.equal((alarm.AlarmActions as unknown[]).length, 1, 'every alarm notifies the topic');
  });

  it('every log group has a retention', () => {
    for (const [, s] of variants) {
      const groups = resourcesOfType(s.json, 'AWS::Logs::LogGroup');
      assert.ok(groups.length >= 4);
      for (const [id, props] of groups) assert.equal(props.RetentionInDays, 30, id);
    }
  });
});
