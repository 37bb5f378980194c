/**
 * Revela's production stack (DESIGN.md §8): one VPC; the API on EC2 behind an HTTPS load balancer
 * that forwards only the public port; internal and worker routes on a second port that only the
 * thumbnail Lambda and the batch workers reach; PostgreSQL on an encrypted EBS volume with daily
 * snapshots (or RDS); three private, TLS-only, encrypted buckets; the thumbnail Lambda on the
 * uploads bucket; batch workers from a locked-down launch template; alarms.
 */
import { Aws, CfnOutput, Duration, RemovalPolicy, SecretValue, Size, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dlm from 'aws-cdk-lib/aws-dlm';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as elbv2Targets from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaDestinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as snsSubscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { Construct, IConstruct } from 'constructs';
import { JOB_OUTPUT_TAGGING } from '#storage';
import { apiUserData, workerTemplateUserData } from './runtime-files.js';
import { names, type RevelaSettings } from './settings.js';

/** The thumbnail Lambda's handler: `index.mjs` in the zip from `npm run build:lambda`, export `handler`. */
export const THUMBNAIL_HANDLER = 'index.handler';
/** The S3 key prefix every tenant object lives under; only these uploads fire the Lambda. */
export const UPLOAD_EVENT_PREFIX = 'tenants/';
/** The tag the batch workers carry; the API may launch and terminate only instances with it. */
export const WORKER_TAG = { key: 'revela:role', value: 'batch-worker' } as const;
/** Worker token parameters are tagged with the instance's ARN; a worker may read only its own. */
export const TOKEN_INSTANCE_TAG = 'revela:instance-arn';
/** Job outputs carry this object tag (the API presigns it); the processed bucket expires them (clinic renditions stay). */
const [retentionKey, retentionValue] = JOB_OUTPUT_TAGGING.split('=') as [string, string];
export const OUTPUT_RETENTION_TAG = { key: retentionKey, value: retentionValue } as const;

export interface RevelaStackProps extends StackProps {
  settings: RevelaSettings;
  /** dist/lambda/thumbnail-lambda.zip (built by `npm run build:lambda`). */
  thumbnailZipPath: string;
}

export interface Acknowledged {
  path: string;
  id: string;
  reason: string;
}

export class RevelaStack extends Stack {
  readonly settings: RevelaSettings;
  /** /etc/revela/api.env as written by the API instance's user data (values may hold tokens). */
  readonly apiEnvironment: Record<string, string>;
  /** The thumbnail Lambda's environment (values may hold tokens). */
  readonly thumbnailEnvironment: Record<string, string>;
  /** Every cdk-nag finding this stack acknowledges, with its reason. */
  readonly acknowledged: Acknowledged[] = [];

  readonly vpc: ec2.Vpc;
  readonly apiInstance: ec2.Instance;
  readonly apiRole: iam.Role;
  readonly workerRole: iam.Role;
  readonly thumbnailRole: iam.Role;
  readonly launchTemplate: ec2.CfnLaunchTemplate;
  readonly thumbnailFunction: lambda.Function;
  readonly buckets: { uploads: s3.Bucket; raw: s3.Bucket; processed: s3.Bucket; logs: s3.Bucket };

  constructor(scope: Construct, id: string, props: RevelaStackProps) {
    super(scope, id, {
      ...props,
      env: props.env ?? { region: props.settings.region, account: props.settings.account },
      description: `Revela ${props.settings.environment}: API, buckets, thumbnail Lambda, batch workers`,
    });
    const settings = (this.settings = props.settings);
    const n = names(settings);
    const env = settings.environment;
    const region = this.region;
    const account = this.account;
    const partition = Aws.PARTITION;
    Tags.of(this).add('revela:environment', env);

    const arn = {
      bucket: (name: string) => `arn:${partition}:s3:::${name}`,
      objects: (name: string) => `arn:${partition}:s3:::${name}/${UPLOAD_EVENT_PREFIX}*`,
      parameter: (path: string) => `arn:${partition}:ssm:${region}:${account}:parameter${path}`,
      ec2: (resource: string) => `arn:${partition}:ec2:${region}:${account}:${resource}`,
    };

    // ---------------------------------------------------------------- network
    const vpc = (this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(settings.vpcCidr),
      maxAzs: 2,
      natGateways: 1,
      restrictDefaultSecurityGroup: true, // the default group, attached to nothing, allows nothing
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'api', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
        { name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
    }));
    // The API, its data volume, the workers and the SSM endpoint share the first AZ: the API is one
    // instance, so a second AZ for the others would buy no availability.
    const apiSubnet = vpc.privateSubnets[0];
    const workerSubnet = vpc.isolatedSubnets[0];

    const flowLogs = new logs.LogGroup(this, 'FlowLogs', { retention: settings.logRetentionDays, removalPolicy: RemovalPolicy.DESTROY });
    vpc.addFlowLog('RejectedTraffic', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });

    const bucketNames = {
      uploads: `revela-${env}-uploads-${account}-${region}`,
      raw: `revela-${env}-raw-${account}-${region}`,
      processed: `revela-${env}-processed-${account}-${region}`,
      logs: `revela-${env}-logs-${account}-${region}`,
    };

    const s3Endpoint = vpc.addGatewayEndpoint('S3', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [{ subnetGroupName: 'api' }, { subnetGroupName: 'isolated' }],
    });
    // Whatever runs in the VPC reaches only Revela's buckets through S3 (a decoder exploited by a
    // hostile RAW file cannot upload elsewhere), plus the Amazon Linux package repositories.
    s3Endpoint.addToPolicy(
      new iam.PolicyStatement({
        sid: 'RevelaBuckets',
        principals: [new iam.AnyPrincipal()],
        actions: [
          's3:GetObject',
          's3:PutObject',
          's3:DeleteObject',
          's3:PutObjectTagging',
          's3:AbortMultipartUpload',
          's3:ListMultipartUploadParts',
          's3:ListBucket',
          's3:ListBucketMultipartUploads',
        ],
        resources: [bucketNames.uploads, bucketNames.raw, bucketNames.processed].flatMap((b) => [arn.bucket(b), `${arn.bucket(b)}/*`]),
      }),
    );
    s3Endpoint.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AmazonLinuxRepositories',
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:GetObject'],
        resources: [`arn:${partition}:s3:::al2023-repos-${region}-*/*`],
      }),
    );

    // The S3 prefix list, so that security groups can allow HTTPS to S3 (through the gateway endpoint)
    // and nothing else. AWS publishes its id only through DescribePrefixLists.
    const s3PrefixList = new cr.AwsCustomResource(this, 'S3PrefixList', {
      onUpdate: {
        service: 'EC2',
        action: 'DescribePrefixLists',
        parameters: { Filters: [{ Name: 'prefix-list-name', Values: [`com.amazonaws.${region}.s3`] }] },
        physicalResourceId: cr.PhysicalResourceId.of(`s3-prefix-list-${region}`),
        outputPaths: ['PrefixLists.0.PrefixListId'],
      },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
      installLatestAwsSdk: false,
      logGroup: new logs.LogGroup(this, 'S3PrefixListLogs', { retention: settings.logRetentionDays, removalPolicy: RemovalPolicy.DESTROY }),
    });
    const s3Peer = ec2.Peer.prefixList(s3PrefixList.getResponseField('PrefixLists.0.PrefixListId'));
    this.ack(
      s3PrefixList,
      'AwsSolutions-IAM5[Resource::*]',
      'ec2:DescribePrefixLists (read-only) supports no resource-level permissions; it is the only action of this lookup.',
    );
    const lookupProvider = this.node.findChild(`AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
    this.ack(
      lookupProvider,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "CDK's one-shot lookup function (DescribePrefixLists at deploy time) writes only its own logs, through the AWS-maintained basic execution policy.",
    );

    const sg = (id: string, description: string) => new ec2.SecurityGroup(this, id, { vpc, description, allowAllOutbound: false });
    const albSg = sg('AlbSecurityGroup', 'Revela load balancer: HTTPS from anywhere, forwards to the API public port only');
    const apiSg = sg(
      'ApiSecurityGroup',
      'Revela API instance: public port from the load balancer, internal port from the Lambda and workers',
    );
    const lambdaSg = sg('ThumbnailSecurityGroup', 'Revela thumbnail Lambda: to the API internal port, S3 and SSM only');
    const workerSg = sg('WorkerSecurityGroup', 'Revela batch workers: to the API internal port, S3 and SSM only');
    const ssmEndpointSg = sg('SsmEndpointSecurityGroup', 'SSM interface endpoint: HTTPS from the API, the Lambda and the workers');

    vpc.addInterfaceEndpoint('Ssm', {
      service: ec2.InterfaceVpcEndpointAwsService.SSM,
      subnets: { subnets: [workerSubnet] },
      securityGroups: [ssmEndpointSg],
      open: false,
      privateDnsEnabled: true,
    });

    const https = ec2.Port.tcp(443);
    const apiPort = ec2.Port.tcp(settings.apiPort);
    const internalPort = ec2.Port.tcp(settings.internalPort);
    albSg.addIngressRule(ec2.Peer.anyIpv4(), https, 'HTTPS from clients');
    albSg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(80), 'HTTP, answered with a redirect to HTTPS');
    albSg.addEgressRule(apiSg, apiPort, 'to the API public port only');
    apiSg.addIngressRule(albSg, apiPort, 'public routes, from the load balancer');
    apiSg.addEgressRule(ec2.Peer.anyIpv4(), https, 'AWS APIs (EC2, SSM, CloudWatch) through the NAT gateway, S3 through its endpoint');
    for (const [client, who] of [
      [lambdaSg, 'thumbnail Lambda'],
      [workerSg, 'batch workers'],
    ] as const) {
      apiSg.addIngressRule(client, internalPort, `internal and worker routes, from the ${who}`);
      client.addEgressRule(apiSg, internalPort, 'to the API internal port');
      client.addEgressRule(s3Peer, https, 'to S3 through the gateway endpoint');
      client.addEgressRule(ssmEndpointSg, https, 'to SSM through the interface endpoint');
      ssmEndpointSg.addIngressRule(client, https, `SSM from the ${who}`);
    }
    ssmEndpointSg.addIngressRule(apiSg, https, 'SSM from the API');

    const zone = new route53.PrivateHostedZone(this, 'PrivateZone', { zoneName: n.privateZone, vpc });
    const internalApiUrl = `http://api.${n.privateZone}:${settings.internalPort}`;

    // ---------------------------------------------------------------- buckets
    const logsBucket = new s3.Bucket(this, 'LogsBucket', {
      bucketName: bucketNames.logs,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED, // the load balancer's access logs require SSE-S3
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        { id: 'expire-access-logs', expiration: Duration.days(settings.accessLogRetentionDays) },
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.ack(
      logsBucket,
      'AwsSolutions-S1',
      'This is the access-log bucket itself: the load balancer and the three data buckets log into it; logging it into itself would loop.',
    );

    const cors = (methods: s3.HttpMethods[], exposed: string[] = []): s3.CorsRule[] =>
      settings.consoleOrigins.length === 0
        ? []
        : [
            {
              allowedOrigins: settings.consoleOrigins,
              allowedMethods: methods,
              allowedHeaders: ['*'],
              exposedHeaders: exposed,
              maxAge: 3000,
            },
          ];
    const dataBucket = (id: string, kind: 'uploads' | 'raw' | 'processed', extra: Partial<s3.BucketProps>) =>
      new s3.Bucket(this, id, {
        bucketName: bucketNames[kind],
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        encryption: s3.BucketEncryption.S3_MANAGED,
        enforceSSL: true,
        minimumTLSVersion: 1.2,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        serverAccessLogsBucket: logsBucket,
        serverAccessLogsPrefix: `s3/${kind}/`,
        removalPolicy: RemovalPolicy.RETAIN,
        ...extra,
        lifecycleRules: [
          { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
          ...(extra.lifecycleRules ?? []),
        ],
      });
    const uploads = dataBucket('UploadsBucket', 'uploads', { cors: cors([s3.HttpMethods.PUT]) });
    const raw = dataBucket('RawBucket', 'raw', {
      cors: cors([s3.HttpMethods.PUT], ['ETag']),
      lifecycleRules: [{ id: 'expire-raw', expiration: Duration.days(settings.rawRetentionDays) }],
    });
    const processed = dataBucket('ProcessedBucket', 'processed', {
      cors: cors([s3.HttpMethods.GET, s3.HttpMethods.HEAD]),
      lifecycleRules: [
        {
          id: 'expire-job-outputs',
          expiration: Duration.days(settings.outputRetentionDays),
          tagFilters: { [OUTPUT_RETENTION_TAG.key]: OUTPUT_RETENTION_TAG.value },
        },
      ],
    });
    this.buckets = { uploads, raw, processed, logs: logsBucket };

    // ---------------------------------------------------------------- batch workers
    const workerTokens = arn.parameter(`${n.workerTokenPath}/*`);
    const workerRole = (this.workerRole = new iam.Role(this, 'WorkerRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: 'Revela batch worker: reads its own bootstrap token parameter, nothing else',
      inlinePolicies: {
        'own-bootstrap-token': new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'ReadOwnBootstrapToken',
              actions: ['ssm:GetParameter'],
              resources: [workerTokens],
              // The API tags each token parameter with the ARN of the instance it launched for it.
              conditions: { StringEquals: { [`ssm:resourceTag/${TOKEN_INSTANCE_TAG}`]: '${ec2:SourceInstanceARN}' } },
            }),
          ],
        }),
      },
    }));
    this.ack(
      workerRole,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:${region}:<AWS::AccountId>:parameter${n.workerTokenPath}/*]`,
      'Token parameters are created per worker at launch; the condition narrows the wildcard to the one parameter tagged with the calling instance ARN.',
    );
    const workerProfile = new iam.CfnInstanceProfile(this, 'WorkerInstanceProfile', { roles: [workerRole.roleName] });

    const workerAmi = settings.workerAmiId;
    const launchTemplate = (this.launchTemplate = new ec2.CfnLaunchTemplate(this, 'WorkerLaunchTemplate', {
      launchTemplateName: n.launchTemplate,
      launchTemplateData: {
        imageId: workerAmi,
        instanceType: settings.workerInstanceType,
        iamInstanceProfile: { arn: workerProfile.attrArn },
        instanceInitiatedShutdownBehavior: 'terminate',
        metadataOptions: { httpTokens: 'required', httpEndpoint: 'enabled', httpPutResponseHopLimit: 1, instanceMetadataTags: 'disabled' },
        blockDeviceMappings: [
          {
            deviceName: '/dev/xvda',
            ebs: { volumeType: 'gp3', volumeSize: settings.workerRootVolumeGiB, encrypted: true, deleteOnTermination: true },
          },
        ],
        networkInterfaces: [
          {
            deviceIndex: 0,
            subnetId: workerSubnet.subnetId,
            groups: [workerSg.securityGroupId],
            associatePublicIpAddress: false,
            deleteOnTermination: true,
          },
        ],
        monitoring: { enabled: false },
        userData: Buffer.from(workerTemplateUserData()).toString('base64'),
      },
    }));
    const launchTemplateArn = arn.ec2(`launch-template/${launchTemplate.ref}`);

    // ---------------------------------------------------------------- database
    const dbPasswordParameter = `${n.configPath}/DATABASE_PASSWORD`;
    let dataVolume: ec2.Volume | undefined;
    let database: rds.DatabaseInstance | undefined;
    if (settings.database === 'ebs') {
      dataVolume = new ec2.Volume(this, 'PostgresData', {
        availabilityZone: apiSubnet.availabilityZone,
        size: Size.gibibytes(settings.dataVolumeGiB),
        volumeType: ec2.EbsDeviceVolumeType.GP3,
        encrypted: true,
        snapshotId: settings.dataVolumeSnapshotId,
        removalPolicy: RemovalPolicy.SNAPSHOT,
      });
      Tags.of(dataVolume).add('revela:backup', n.backupTag);
      Tags.of(dataVolume).add('Name', `revela-${env}-postgres`);
      const dlmRole = new iam.Role(this, 'SnapshotRole', {
        assumedBy: new iam.ServicePrincipal('dlm.amazonaws.com'),
        description: 'Data Lifecycle Manager: daily snapshots of the Revela PostgreSQL volume',
        inlinePolicies: {
          snapshots: new iam.PolicyDocument({
            statements: [
              new iam.PolicyStatement({
                sid: 'SnapshotTheTaggedVolume',
                actions: ['ec2:CreateSnapshot'],
                resources: [arn.ec2('volume/*')],
                conditions: { StringEquals: { 'aws:ResourceTag/revela:backup': n.backupTag } },
              }),
              new iam.PolicyStatement({
                sid: 'CreateSnapshots',
                actions: ['ec2:CreateSnapshot'],
                resources: [`arn:${partition}:ec2:${region}::snapshot/*`],
              }),
              new iam.PolicyStatement({
                sid: 'TagNewSnapshots',
                actions: ['ec2:CreateTags'],
                resources: [`arn:${partition}:ec2:${region}::snapshot/*`],
                conditions: { StringEquals: { 'ec2:CreateAction': ['CreateSnapshot', 'CreateSnapshots'] } },
              }),
              new iam.PolicyStatement({
                sid: 'ExpireOwnSnapshots',
                actions: ['ec2:DeleteSnapshot'],
                resources: [`arn:${partition}:ec2:${region}::snapshot/*`],
                conditions: { StringEquals: { 'aws:ResourceTag/revela:backup': n.backupTag } },
              }),
              new iam.PolicyStatement({
                sid: 'DescribeRequiresStar',
                actions: ['ec2:DescribeInstances', 'ec2:DescribeVolumes', 'ec2:DescribeSnapshots'],
                resources: ['*'],
              }),
            ],
          }),
        },
      });
      for (const finding of [
        `Resource::arn:<AWS::Partition>:ec2:${region}:<AWS::AccountId>:volume/*`,
        `Resource::arn:<AWS::Partition>:ec2:${region}::snapshot/*`,
        'Resource::*',
      ]) {
        this.ack(
          dlmRole,
          `AwsSolutions-IAM5[${finding}]`,
          'Snapshot ids are not known in advance; volumes and deletions are narrowed by the revela:backup tag, and EC2 Describe* actions support no resource-level permissions.',
        );
      }
      new dlm.CfnLifecyclePolicy(this, 'PostgresSnapshots', {
        description: `Daily snapshots of the Revela ${env} PostgreSQL volume`,
        state: 'ENABLED',
        executionRoleArn: dlmRole.roleArn,
        policyDetails: {
          policyType: 'EBS_SNAPSHOT_MANAGEMENT',
          resourceTypes: ['VOLUME'],
          targetTags: [{ key: 'revela:backup', value: n.backupTag }],
          schedules: [
            {
              name: 'daily',
              createRule: { interval: 24, intervalUnit: 'HOURS', times: [settings.snapshotTimeUtc] },
              retainRule: { count: settings.snapshotRetentionDays },
              copyTags: true,
              tagsToAdd: [{ key: 'revela:snapshot', value: 'daily' }],
            },
          ],
        },
      });
    }

    if (settings.database === 'rds') {
      const dbSg = sg('DatabaseSecurityGroup', 'Revela PostgreSQL (RDS): only from the API');
      dbSg.addIngressRule(apiSg, ec2.Port.tcp(5432), 'PostgreSQL from the API only');
      apiSg.addEgressRule(dbSg, ec2.Port.tcp(5432), 'to PostgreSQL (RDS)');
      const identifier = `revela-${env}`;
      new logs.LogGroup(this, 'PostgresLogs', {
        logGroupName: `/aws/rds/instance/${identifier}/postgresql`,
        retention: settings.logRetentionDays,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      database = new rds.DatabaseInstance(this, 'Postgres', {
        instanceIdentifier: identifier,
        engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 }),
        instanceType: new ec2.InstanceType(settings.rdsInstanceType),
        vpc,
        vpcSubnets: { subnetGroupName: 'isolated' },
        securityGroups: [dbSg],
        // The operator creates this SecureString once (infra/scripts/create-secrets.sh); CloudFormation
        // resolves it at deploy time and it never appears in the template.
        credentials: rds.Credentials.fromPassword('revela', SecretValue.ssmSecure(dbPasswordParameter)),
        databaseName: 'revela',
        allocatedStorage: settings.rdsAllocatedStorageGiB,
        storageType: rds.StorageType.GP3,
        storageEncrypted: true,
        multiAz: settings.rdsMultiAz,
        backupRetention: Duration.days(settings.rdsBackupRetentionDays),
        deletionProtection: settings.deletionProtection,
        removalPolicy: RemovalPolicy.SNAPSHOT,
        publiclyAccessible: false,
        cloudwatchLogsExports: ['postgresql'],
        autoMinorVersionUpgrade: true,
      });
      new route53.CnameRecord(this, 'DatabaseName', {
        zone,
        recordName: 'db',
        domainName: database.dbInstanceEndpointAddress,
        ttl: Duration.seconds(60),
      });
      this.ack(
        database,
        'AwsSolutions-RDS11',
        'The default port is kept: the database is in isolated subnets and its security group admits only the API; a moved port adds no protection.',
      );
      if (!settings.rdsMultiAz)
        this.ack(
          database,
          'AwsSolutions-RDS3',
          'Single-AZ by default to match the single API instance and a small studio budget; set rdsMultiAz=true for a standby.',
        );
    }

    // ---------------------------------------------------------------- the API
    const configParameters = [arn.parameter(n.configPath), arn.parameter(`${n.configPath}/*`)];
    const apiLogGroup = new logs.LogGroup(this, 'ApiLogs', {
      logGroupName: n.apiLogGroup,
      retention: settings.logRetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const apiStatements: iam.PolicyStatement[] = [
      new iam.PolicyStatement({ sid: 'LaunchWorkersOnlyFromTheTemplate', actions: ['ec2:RunInstances'], resources: [launchTemplateArn] }),
      new iam.PolicyStatement({
        sid: 'LaunchTaggedWorkerInstances',
        actions: ['ec2:RunInstances'],
        resources: [arn.ec2('instance/*'), arn.ec2('volume/*')],
        conditions: {
          ArnLike: { 'ec2:LaunchTemplate': launchTemplateArn },
          StringEquals: { [`aws:RequestTag/${WORKER_TAG.key}`]: WORKER_TAG.value },
        },
      }),
      new iam.PolicyStatement({
        sid: 'LaunchIntoTheWorkerNetworkAndImage',
        actions: ['ec2:RunInstances'],
        resources: [
          arn.ec2('network-interface/*'),
          arn.ec2(`subnet/${workerSubnet.subnetId}`),
          arn.ec2(`security-group/${workerSg.securityGroupId}`),
          `arn:${partition}:ec2:${region}::image/${workerAmi}`,
        ],
        conditions: { ArnLike: { 'ec2:LaunchTemplate': launchTemplateArn } },
      }),
      new iam.PolicyStatement({
        sid: 'TagWorkersOnlyAtLaunch',
        actions: ['ec2:CreateTags'],
        resources: [arn.ec2('instance/*'), arn.ec2('volume/*')],
        conditions: { StringEquals: { 'ec2:CreateAction': 'RunInstances' } },
      }),
      new iam.PolicyStatement({
        sid: 'TerminateOnlyWorkersOfThisTemplate',
        actions: ['ec2:TerminateInstances'],
        resources: [arn.ec2('instance/*')],
        conditions: {
          StringEquals: {
            [`aws:ResourceTag/${WORKER_TAG.key}`]: WORKER_TAG.value,
            'aws:ResourceTag/aws:ec2launchtemplate:id': launchTemplate.ref,
          },
        },
      }),
      new iam.PolicyStatement({
        sid: 'PassOnlyTheWorkerRole',
        actions: ['iam:PassRole'],
        resources: [workerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      }),
      new iam.PolicyStatement({
        sid: 'DescribeRequiresStar',
        actions: settings.database === 'ebs' ? ['ec2:DescribeInstances', 'ec2:DescribeVolumes'] : ['ec2:DescribeInstances'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'WorkerTokens',
        actions: ['ssm:PutParameter', 'ssm:DeleteParameter', 'ssm:AddTagsToResource'],
        resources: [workerTokens],
      }),
      new iam.PolicyStatement({
        sid: 'ReadConfiguration',
        actions: ['ssm:GetParameter', 'ssm:GetParametersByPath'],
        resources: configParameters,
      }),
      new iam.PolicyStatement({
        sid: 'UploadsObjects',
        // AbortMultipartUpload: photos streamed through the API are multipart uploads, dropped on a broken stream.
        actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        resources: [arn.objects(bucketNames.uploads)],
      }),
      new iam.PolicyStatement({
        sid: 'RawObjects',
        actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: [arn.objects(bucketNames.raw)],
      }),
      new iam.PolicyStatement({
        sid: 'ProcessedObjects',
        // PutObjectTagging: presigned output PUTs carry the revela:retention tag the lifecycle rule expires.
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:PutObjectTagging'],
        resources: [arn.objects(bucketNames.processed)],
      }),
      new iam.PolicyStatement({
        sid: 'ListForHealthChecksAndPrefixDeletes',
        // HeadBucket (readiness check) needs ListBucket; deleting an animal lists its prefix.
        actions: ['s3:ListBucket'],
        resources: [arn.bucket(bucketNames.uploads), arn.bucket(bucketNames.raw), arn.bucket(bucketNames.processed)],
      }),
      new iam.PolicyStatement({
        sid: 'RawMultipartUploads',
        actions: ['s3:ListBucketMultipartUploads'],
        resources: [arn.bucket(bucketNames.raw)],
      }),
      new iam.PolicyStatement({
        sid: 'ShipApiLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [apiLogGroup.logGroupArn],
      }),
    ];
    if (dataVolume) {
      apiStatements.push(
        new iam.PolicyStatement({
          sid: 'AttachOwnDataVolume',
          actions: ['ec2:AttachVolume'],
          resources: [arn.ec2(`volume/${dataVolume.volumeId}`)],
        }),
        new iam.PolicyStatement({
          sid: 'AttachToTheApiInstance',
          actions: ['ec2:AttachVolume'],
          resources: [arn.ec2('instance/*')],
          conditions: { StringEquals: { 'aws:ResourceTag/revela:role': 'api' } },
        }),
      );
    }
    const apiRole = (this.apiRole = new iam.Role(this, 'ApiRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description:
        'Revela API: launches and terminates batch workers, manages their tokens, reads its configuration, uses the three buckets',
      inlinePolicies: { api: new iam.PolicyDocument({ statements: apiStatements }) },
    }));
    for (const [finding, reason] of [
      ['Resource::*', 'EC2 Describe* actions support no resource-level permissions (AWS requires "*").'],
      [
        `Resource::arn:<AWS::Partition>:ec2:${region}:<AWS::AccountId>:instance/*`,
        'Instance ids are unknown before launch: RunInstances is bound to the launch template and the worker tag, CreateTags to RunInstances, TerminateInstances and AttachVolume to instance tags.',
      ],
      [
        `Resource::arn:<AWS::Partition>:ec2:${region}:<AWS::AccountId>:volume/*`,
        'Worker root volumes are created at launch, bound to the launch template and the worker tag.',
      ],
      [
        `Resource::arn:<AWS::Partition>:ec2:${region}:<AWS::AccountId>:network-interface/*`,
        'Worker network interfaces are created at launch, bound to the launch template (its subnet and security group).',
      ],
      [
        `Resource::arn:<AWS::Partition>:ssm:${region}:<AWS::AccountId>:parameter${n.workerTokenPath}/*`,
        "One token parameter per worker, created at launch, all under this environment's worker-tokens path.",
      ],
      [
        `Resource::arn:<AWS::Partition>:ssm:${region}:<AWS::AccountId>:parameter${n.configPath}/*`,
        "The API reads its secrets from this environment's configuration path only.",
      ],
      ...[bucketNames.uploads, bucketNames.raw, bucketNames.processed].map((b) => [
        `Resource::arn:<AWS::Partition>:s3:::${b.replace(account, '<AWS::AccountId>')}/${UPLOAD_EVENT_PREFIX}*`,
        'Object keys are per tenant and per file; access is limited to the tenants/ prefix of each bucket, one statement per bucket with only the actions it needs.',
      ]),
    ] as const) {
      this.ack(apiRole, `AwsSolutions-IAM5[${finding}]`, reason);
    }

    const apiEnv: Record<string, string> = {
      RUNTIME: 'aws',
      NODE_ENV: 'production',
      HOST: '0.0.0.0',
      PORT: String(settings.apiPort),
      INTERNAL_PORT: String(settings.internalPort),
      INTERNAL_API_URL: internalApiUrl,
      SSM_PARAMETER_PREFIX: `${n.configPath}/`,
      WORKER_TOKEN_PARAMETER_PREFIX: n.workerTokenPath,
      LOG_LEVEL: settings.logLevel,
      S3_REGION: region,
      BUCKET_UPLOADS: bucketNames.uploads,
      BUCKET_RAW: bucketNames.raw,
      BUCKET_PROCESSED: bucketNames.processed,
      WORKER_LAUNCHER: 'ec2',
      EC2_LAUNCH_TEMPLATE_ID: launchTemplate.ref,
      MAX_WORKERS: String(settings.maxWorkers),
      WORKER_CONCURRENCY: String(settings.workerConcurrency),
      IDLE_SHUTDOWN_SECONDS: String(settings.idleShutdownSeconds),
    };
    if (settings.consoleOrigins.length > 0) apiEnv.CORS_ORIGINS = settings.consoleOrigins.join(',');
    this.apiEnvironment = apiEnv;

    const userData = ec2.UserData.forLinux();
    userData.addCommands(
      ...apiUserData({
        region,
        apiEnv,
        apiLogGroup: n.apiLogGroup,
        dataVolumeId: dataVolume?.volumeId,
        databasePasswordParameter: dataVolume ? dbPasswordParameter : undefined,
      }),
    );
    const apiInstance = (this.apiInstance = new ec2.Instance(this, 'Api', {
      vpc,
      vpcSubnets: { subnets: [apiSubnet] },
      instanceType: new ec2.InstanceType(settings.apiInstanceType),
      machineImage: ec2.MachineImage.genericLinux({ [region]: settings.apiAmiId ?? workerAmi }),
      securityGroup: apiSg,
      role: apiRole,
      userData,
      // A new image or a restored volume means a new instance; its state lives on the data volume.
      userDataCausesReplacement: true,
      httpTokens: ec2.HttpTokens.REQUIRED,
      httpPutResponseHopLimit: 1,
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs(settings.apiRootVolumeGiB, {
            encrypted: true,
            volumeType: ec2.EbsDeviceVolumeType.GP3,
            deleteOnTermination: true,
          }),
        },
      ],
      detailedMonitoring: true,
      propagateTagsToVolumeOnCreation: true,
    }));
    Tags.of(apiInstance).add('revela:role', 'api');
    Tags.of(apiInstance).add('Name', `revela-${env}-api`);
    this.ack(
      apiInstance,
      'AwsSolutions-EC26',
      "cdk-nag's EC26 throws on an instance without a launch template when the stack holds one (the workers'); the root volume is encrypted gp3, as infra/test/stack.test.ts asserts, and the data volume is encrypted too.",
    );
    this.ack(
      apiInstance,
      'CloudFormation-Validate::W9010',
      'The image id is a deliberate per-environment setting (apiAmiId / workerAmiId): one reviewed template per environment.',
    );
    this.ack(
      apiInstance,
      'AwsSolutions-EC29',
      'CloudFormation replaces the API instance for a new image or a restore, which termination protection would block; its state lives on the separate PostgreSQL volume (snapshot on delete) or in RDS.',
    );
    new route53.ARecord(this, 'ApiName', {
      zone,
      recordName: 'api',
      target: route53.RecordTarget.fromIpAddresses(apiInstance.instancePrivateIp),
      ttl: Duration.seconds(60),
    });

    // ---------------------------------------------------------------- load balancer
    const alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc,
      internetFacing: true,
      vpcSubnets: { subnetGroupName: 'public' },
      securityGroup: albSg,
      dropInvalidHeaderFields: true,
      deletionProtection: settings.deletionProtection,
    });
    alb.logAccessLogs(logsBucket, 'alb');
    const apiTargets = new elbv2.ApplicationTargetGroup(this, 'ApiTargets', {
      vpc,
      port: settings.apiPort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.INSTANCE,
      targets: [new elbv2Targets.InstanceTarget(apiInstance, settings.apiPort)],
      healthCheck: {
        path: '/health',
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
      deregistrationDelay: Duration.seconds(30),
    });
    const httpsListener = alb.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [elbv2.ListenerCertificate.fromArn(settings.certificateArn)],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      defaultTargetGroups: [apiTargets],
      open: false,
    });
    // Belt and braces: the API serves /internal/* only on its internal port, and the load balancer
    // answers those paths itself rather than forwarding them.
    httpsListener.addAction('InternalRoutesNeverForwarded', {
      priority: 1,
      conditions: [elbv2.ListenerCondition.pathPatterns(['/internal', '/internal/*'])],
      action: elbv2.ListenerAction.fixedResponse(404, {
        contentType: 'application/problem+json',
        messageBody: JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404 }),
      }),
    });
    alb.addListener('Http', {
      port: 80,
      open: false,
      defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
    });
    this.ack(
      albSg,
      'AwsSolutions-EC23',
      'The load balancer is the public entry point: HTTPS (and HTTP, redirected) from anywhere is its purpose.',
    );

    // ---------------------------------------------------------------- thumbnail Lambda
    const signingKeyParameter = `${n.configPath}/CALLBACK_SIGNING_KEY`;
    const thumbnailRole = (this.thumbnailRole = new iam.Role(this, 'ThumbnailRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Revela thumbnail Lambda: reads uploads, writes processed, reads its signing key',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole')],
      inlinePolicies: {
        thumbnails: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({ sid: 'ReadUploads', actions: ['s3:GetObject'], resources: [arn.objects(bucketNames.uploads)] }),
            new iam.PolicyStatement({ sid: 'WriteRenditions', actions: ['s3:PutObject'], resources: [arn.objects(bucketNames.processed)] }),
            new iam.PolicyStatement({
              sid: 'ReadSigningKey',
              actions: ['ssm:GetParameter'],
              resources: [arn.parameter(signingKeyParameter)],
            }),
          ],
        }),
      },
    }));
    this.ack(
      thumbnailRole,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
      "The function runs in the VPC to reach the API's internal listener; Lambda needs this AWS-maintained policy (network interfaces and its own logs), whose EC2 actions accept no narrower resource.",
    );
    for (const b of [bucketNames.uploads, bucketNames.processed]) {
      this.ack(
        thumbnailRole,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${b.replace(account, '<AWS::AccountId>')}/${UPLOAD_EVENT_PREFIX}*]`,
        'Object keys are per photo: GetObject on the uploads tenants/ prefix, PutObject on the processed tenants/ prefix, nothing else.',
      );
    }

    const deadLetters = new sqs.Queue(this, 'ThumbnailFailures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.ack(
      deadLetters,
      'AwsSolutions-SQS3',
      "This queue is itself the thumbnail Lambda's on-failure destination (its dead-letter queue); a queue behind it would add nothing.",
    );

    const thumbnailEnv: Record<string, string> = {
      BUCKET_UPLOADS: bucketNames.uploads,
      BUCKET_PROCESSED: bucketNames.processed,
      PUBLIC_API_URL: internalApiUrl,
      CALLBACK_SIGNING_KEY_PARAMETER: signingKeyParameter,
      CALLBACK_TIMEOUT_MS: '10000',
    };
    this.thumbnailEnvironment = thumbnailEnv;
    const functionName = `revela-${env}-thumbnail`;
    const thumbnailFunction = (this.thumbnailFunction = new lambda.Function(this, 'Thumbnail', {
      functionName,
      description: 'Revela: clinic photo renditions for every upload, reported to the API',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.X86_64,
      handler: THUMBNAIL_HANDLER,
      code: lambda.Code.fromAsset(props.thumbnailZipPath),
      memorySize: settings.thumbnailMemoryMb,
      timeout: Duration.seconds(settings.thumbnailTimeoutSeconds),
      reservedConcurrentExecutions: settings.thumbnailReservedConcurrency > 0 ? settings.thumbnailReservedConcurrency : undefined,
      role: thumbnailRole,
      vpc,
      vpcSubnets: { subnetGroupName: 'isolated' },
      securityGroups: [lambdaSg],
      environment: thumbnailEnv,
      logGroup: new logs.LogGroup(this, 'ThumbnailLogs', {
        logGroupName: `/aws/lambda/${functionName}`,
        retention: settings.logRetentionDays,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      onFailure: new lambdaDestinations.SqsDestination(deadLetters),
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
    }));

    // The notification is set on the bucket itself (not through CDK's notifications custom resource,
    // whose role would need s3:PutBucketNotification on "*"). The permission names the bucket by
    // its deterministic name, so the bucket can depend on it without a cycle.
    const invokePermission = new lambda.CfnPermission(this, 'UploadsMayInvokeThumbnail', {
      action: 'lambda:InvokeFunction',
      functionName: thumbnailFunction.functionArn,
      principal: 's3.amazonaws.com',
      sourceArn: arn.bucket(bucketNames.uploads),
      sourceAccount: account,
    });
    const uploadsCfn = uploads.node.defaultChild as s3.CfnBucket;
    uploadsCfn.notificationConfiguration = {
      lambdaConfigurations: [
        {
          event: 's3:ObjectCreated:*',
          function: thumbnailFunction.functionArn,
          filter: { s3Key: { rules: [{ name: 'prefix', value: UPLOAD_EVENT_PREFIX }] } },
        },
      ],
    };
    uploadsCfn.addResourceDependency(invokePermission);

    // ---------------------------------------------------------------- alarms
    const alarmTopic = new sns.Topic(this, 'Alarms', { displayName: `Revela ${env} alarms`, enforceSSL: true });
    if (settings.alarmEmail) alarmTopic.addSubscription(new snsSubscriptions.EmailSubscription(settings.alarmEmail));
    this.ack(
      alarmTopic,
      'AwsSolutions-SNS2',
      'CloudWatch alarms cannot publish to a topic encrypted with the AWS managed SNS key, and alarm notifications carry no data worth a customer managed key ($1/month).',
    );
    const alarm = (
      id: string,
      metric: cloudwatch.Metric,
      props: Omit<cloudwatch.CreateAlarmOptions, 'evaluationPeriods'> & { evaluationPeriods?: number },
    ) => {
      const created = metric.createAlarm(this, id, {
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...props,
      });
      created.addAlarmAction(new cloudwatchActions.SnsAction(alarmTopic));
      return created;
    };
    const fiveMinutes = Duration.minutes(5);
    alarm('ThumbnailErrors', thumbnailFunction.metricErrors({ period: fiveMinutes, statistic: 'Sum' }), {
      alarmDescription: 'The thumbnail Lambda failed invocations (retried twice, then sent to the dead-letter queue).',
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    alarm('ThumbnailDeadLetters', deadLetters.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes, statistic: 'Maximum' }), {
      alarmDescription: 'Uploads whose thumbnails failed three times wait in the dead-letter queue.',
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    alarm('Api5xx', alb.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: fiveMinutes, statistic: 'Sum' }), {
      alarmDescription: 'The API answered 5xx through the load balancer.',
      threshold: 5,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    alarm('LoadBalancer5xx', alb.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period: fiveMinutes, statistic: 'Sum' }), {
      alarmDescription: 'The load balancer answered 5xx itself (API down or timing out).',
      threshold: 5,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    alarm('ApiUnhealthy', apiTargets.metrics.healthyHostCount({ period: Duration.minutes(1), statistic: 'Minimum' }), {
      alarmDescription: 'The API instance fails its load balancer health check.',
      threshold: 1,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    // Workers are counted by EC2 itself, not by the API: the account's running on-demand vCPUs
    // (AWS/Usage) above what the API plus MAX_WORKERS workers can use means workers that the API
    // lost track of, or a launch loop. Sustained for 15 minutes to ignore an API replacement.
    const vcpuCeiling = settings.apiVcpus + settings.maxWorkers * settings.workerVcpus + settings.usageBaselineVcpus;
    alarm(
      'WorkersAboveMaximum',
      new cloudwatch.Metric({
        namespace: 'AWS/Usage',
        metricName: 'ResourceCount',
        dimensionsMap: { Service: 'EC2', Type: 'Resource', Resource: 'vCPU', Class: 'Standard/OnDemand' },
        statistic: 'Maximum',
        period: fiveMinutes,
      }),
      {
        alarmDescription: `More on-demand vCPUs are running than the API (${settings.apiVcpus}) plus MAX_WORKERS=${settings.maxWorkers} workers of ${settings.workerVcpus} vCPUs (+${settings.usageBaselineVcpus} baseline) can use.`,
        threshold: vcpuCeiling,
        evaluationPeriods: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      },
    );

    // ---------------------------------------------------------------- outputs
    const output = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    output('LoadBalancerDnsName', alb.loadBalancerDnsName, 'Point the API hostname (CNAME/alias) of the certificate here');
    output('ApiInstanceId', apiInstance.instanceId, 'The API instance');
    output('InternalApiUrl', internalApiUrl, 'The internal listener, as the Lambda and workers reach it');
    output('LaunchTemplateId', launchTemplate.ref, 'EC2_LAUNCH_TEMPLATE_ID of the batch workers');
    output('ConfigParameterPath', `${n.configPath}/`, 'SSM path of the secrets (create them before the first deploy)');
    output('UploadsBucketName', uploads.bucketName, 'BUCKET_UPLOADS');
    output('RawBucketName', raw.bucketName, 'BUCKET_RAW');
    output('ProcessedBucketName', processed.bucketName, 'BUCKET_PROCESSED');
    output('ThumbnailFunctionName', thumbnailFunction.functionName, 'The thumbnail Lambda');
    output('ThumbnailDeadLetterQueueUrl', deadLetters.queueUrl, 'Failed thumbnail events');
    output('AlarmTopicArn', alarmTopic.topicArn, 'Subscribe to receive alarms');
    if (dataVolume) output('DataVolumeId', dataVolume.volumeId, 'PostgreSQL data volume (snapshots tagged revela:backup)');
    if (database) output('DatabaseEndpoint', database.dbInstanceEndpointAddress, 'RDS PostgreSQL endpoint (also db.' + n.privateZone + ')');
  }

  /** Acknowledges one cdk-nag finding on a construct, with its reason (every suppression has one). */
  private ack(construct: IConstruct, rule: string, reason: string): void {
    const id = /^[A-Za-z-]+::/.test(rule) ? rule : `AwsSolutions::${rule}`;
    Validations.of(construct).acknowledge({ id, reason });
    this.acknowledged.push({ path: construct.node.path, id, reason });
  }
}
