/**
 * What each machine is told at boot: the API instance's user data (its /etc/revela/api.env, the
 * PostgreSQL data volume, the log agent) and the batch worker's contract. None of it is secret:
 * ADMIN_TOKEN, CALLBACK_SIGNING_KEY and DATABASE_URL stay in SSM Parameter Store and the API reads
 * them at start (SSM_PARAMETER_PREFIX, RUNTIME=aws).
 */

/** Where the image (infra/ami/build-ami.sh) installs things; the systemd units read these files. */
export const IMAGE_PATHS = {
  apiEnvFile: '/etc/revela/api.env',
  workerEnvFile: '/etc/revela/worker.env',
  apiLog: '/var/log/revela/api.log',
  cloudWatchAgentConfig: '/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json',
  cloudWatchAgentCtl: '/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl',
  postgresData: '/var/lib/pgsql',
} as const;

/** The device name the API instance attaches its PostgreSQL volume as (AL2023 links the NVMe device to it). */
export const DATA_VOLUME_DEVICE = '/dev/sdf';
export const DATA_VOLUME_LABEL = 'revela-pg';

/** Renders KEY=value lines; values may hold CDK tokens (they become Fn::Join in the template). */
export function renderEnvFile(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([key, value]) => {
      if (!/^[A-Z][A-Z0-9_]*$/.test(key)) throw new Error(`bad environment variable name ${key}`);
      if (/[\n\r]/.test(value)) throw new Error(`${key} must fit on one line`);
      return `${key}=${value}`;
    })
    .join('\n');
}

/** Parses the KEY=value lines of an environment file (systemd EnvironmentFile syntax, no quoting). */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const at = trimmed.indexOf('=');
    if (at <= 0) throw new Error(`not a KEY=value line: ${trimmed}`);
    env[trimmed.slice(0, at)] = trimmed.slice(at + 1);
  }
  return env;
}

export const ENV_FILE_START = "cat > /etc/revela/api.env <<'REVELA_API_ENV'";
export const ENV_FILE_END = 'REVELA_API_ENV';

export interface ApiUserDataOptions {
  region: string;
  apiEnv: Record<string, string>;
  apiLogGroup: string;
  /** SSM parameter holding the PostgreSQL password (EBS mode only). */
  databasePasswordParameter?: string;
  /** The PostgreSQL volume the instance attaches to itself (EBS mode only). */
  dataVolumeId?: string;
}

/**
 * The API instance's boot script. The instance attaches its PostgreSQL volume itself (rather than an
 * AWS::EC2::VolumeAttachment) so that CloudFormation can replace the instance, for a new image or a
 * restore: the new instance waits until the old one has released the volume.
 */
export function apiUserData(options: ApiUserDataOptions): string[] {
  const lines = [
    '# Revela API bootstrap (infra/lib/runtime-files.ts). No secret here: the API reads them from SSM at start.',
    'set -euo pipefail',
    'exec > >(tee -a /var/log/revela-bootstrap.log) 2>&1',
    `REGION='${options.region}'`,
    'imds() { local token; token=$(curl -sf -X PUT http://169.254.169.254/latest/api/token -H \'X-aws-ec2-metadata-token-ttl-seconds: 300\'); curl -sf -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/$1"; }',
    'install -d -m 0750 -o root -g revela /etc/revela',
    ENV_FILE_START,
    renderEnvFile(options.apiEnv),
    ENV_FILE_END,
    `chown root:revela ${IMAGE_PATHS.apiEnvFile} && chmod 0640 ${IMAGE_PATHS.apiEnvFile}`,
  ];

  if (options.dataVolumeId && options.databasePasswordParameter) {
    const pg = IMAGE_PATHS.postgresData;
    lines.push(
      '# PostgreSQL on its own encrypted gp3 volume (snapshotted daily by Data Lifecycle Manager).',
      `VOLUME_ID='${options.dataVolumeId}'`,
      'INSTANCE_ID=$(imds meta-data/instance-id)',
      `until [ -e ${DATA_VOLUME_DEVICE} ] || [ "$(aws ec2 describe-volumes --region "$REGION" --volume-ids "$VOLUME_ID" --query 'Volumes[0].State' --output text)" = available ]; do sleep 5; done`,
      `[ -e ${DATA_VOLUME_DEVICE} ] || aws ec2 attach-volume --region "$REGION" --volume-id "$VOLUME_ID" --instance-id "$INSTANCE_ID" --device ${DATA_VOLUME_DEVICE}`,
      `until [ -e ${DATA_VOLUME_DEVICE} ]; do sleep 2; done`,
      `blkid ${DATA_VOLUME_DEVICE} >/dev/null 2>&1 || mkfs.xfs -L ${DATA_VOLUME_LABEL} ${DATA_VOLUME_DEVICE}`,
      `grep -q 'LABEL=${DATA_VOLUME_LABEL}' /etc/fstab || echo 'LABEL=${DATA_VOLUME_LABEL} ${pg} xfs defaults,noatime,nofail 0 2' >> /etc/fstab`,
      `install -d ${pg} && (mountpoint -q ${pg} || mount ${pg})`,
      `chown postgres:postgres ${pg} && chmod 0700 ${pg}`,
      `[ -s ${pg}/data/PG_VERSION ] || postgresql-setup --initdb`,
      `sed -i -E 's/^(host[[:space:]]+all[[:space:]]+all[[:space:]]+(127\\.0\\.0\\.1\\/32|::1\\/128)[[:space:]]+)[a-z0-9-]+/\\1scram-sha-256/' ${pg}/data/pg_hba.conf`,
      'systemctl enable --now postgresql',
      // The password goes through psql's stdin (printf is a shell builtin): never on a command line.
      `DB_PASSWORD=$(aws ssm get-parameter --region "$REGION" --with-decryption --name '${options.databasePasswordParameter}' --query Parameter.Value --output text)`,
      "{ printf '\\\\set password %s\\n' \"$DB_PASSWORD\"; cat <<'REVELA_SQL'; } | sudo -u postgres psql -q -v ON_ERROR_STOP=1",
      "SELECT 'CREATE ROLE revela LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'revela')\\gexec",
      "ALTER ROLE revela PASSWORD :'password';",
      "SELECT 'CREATE DATABASE revela OWNER revela' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'revela')\\gexec",
      'REVELA_SQL',
      'unset DB_PASSWORD',
    );
  }

  lines.push(
    '# Ship the API log to CloudWatch Logs.',
    `if [ -x ${IMAGE_PATHS.cloudWatchAgentCtl} ]; then`,
    `cat > ${IMAGE_PATHS.cloudWatchAgentConfig} <<'REVELA_CWA'`,
    JSON.stringify({
      logs: {
        logs_collected: {
          files: {
            collect_list: [{ file_path: IMAGE_PATHS.apiLog, log_group_name: options.apiLogGroup, log_stream_name: '{instance_id}' }],
          },
        },
      },
    }),
    'REVELA_CWA',
    `${IMAGE_PATHS.cloudWatchAgentCtl} -a fetch-config -m ec2 -s -c file:${IMAGE_PATHS.cloudWatchAgentConfig}`,
    'fi',
    'systemctl enable --now revela-api',
  );
  return lines;
}

/**
 * The launch template's own user data. The API replaces it in every RunInstances call (its user
 * data writes /etc/revela/worker.env and starts revela-batch-worker); an instance started from the
 * template without it has nothing to do and stops, which terminates it.
 */
export function workerTemplateUserData(): string {
  return [
    '#!/bin/bash',
    '# Revela batch workers are started by the API, whose RunInstances user data replaces this script.',
    '# Launched without it, the instance has no work and no token: power off (shutdown behaviour: terminate).',
    'shutdown -h now',
    '',
  ].join('\n');
}

/**
 * The environment file the API's EC2 launcher writes to /etc/revela/worker.env for each worker
 * (the worker-protocol contract): no secret, only the name of the SSM parameter holding the worker's
 * token, which the worker reads with its instance role. SCRATCH_DIR and POWER_OFF_ON_EXIT come from
 * the systemd unit in the image (infra/ami/revela-batch-worker.service).
 */
export function workerEnvironmentFromApi(apiEnv: Record<string, string>, workerId: string): Record<string, string> {
  const env: Record<string, string> = {
    WORKER_ID: workerId,
    INTERNAL_API_URL: required(apiEnv, 'INTERNAL_API_URL'),
    WORKER_TOKEN_PARAMETER: `${required(apiEnv, 'WORKER_TOKEN_PARAMETER_PREFIX').replace(/\/+$/, '')}/${workerId}`,
    AWS_REGION: required(apiEnv, 'S3_REGION'),
  };
  for (const key of ['LOG_LEVEL', 'LEASE_SECONDS', 'MAX_ATTEMPTS', 'WORKER_CONCURRENCY', 'IDLE_SHUTDOWN_SECONDS', 'RAW_DECODER']) {
    if (apiEnv[key] !== undefined) env[key] = apiEnv[key];
  }
  return env;
}

function required(env: Record<string, string>, key: string): string {
  const value = env[key];
  if (value === undefined) throw new Error(`the API environment has no ${key}`);
  return value;
}
