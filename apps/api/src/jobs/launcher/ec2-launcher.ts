import { type EC2Client, RunInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { AddTagsToResourceCommand, DeleteParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { Logger } from '@nestjs/common';
import type { AppConfig } from '#config';
import { workerEnvironment } from './worker-environment.js';
import type { LaunchTrigger, WorkerCredentials, WorkerLauncher } from './worker-launcher.js';

export interface Ec2LauncherSettings {
  launchTemplateId: string;
  launchTemplateVersion: string;
  /** SSM path under which each worker's token is stored, e.g. /revela/prod/worker-tokens. */
  tokenParameterPrefix: string;
  region: string;
  apiUrl: string;
}

/**
 * Starts each worker as an EC2 instance from a launch template (AMI, instance type, role, IMDSv2).
 * The worker's token goes to an SSM SecureString that only that instance's role can read; user
 * data carries the worker id and the parameter's name, never a secret. The worker powers the
 * instance off when idle, and shutdown means terminate.
 */
export class Ec2WorkerLauncher implements WorkerLauncher {
  readonly kind = 'ec2' as const;
  private readonly logger = new Logger(Ec2WorkerLauncher.name);

  constructor(
    private readonly ec2: EC2Client,
    private readonly ssm: SSMClient,
    private readonly config: AppConfig,
    private readonly settings: Ec2LauncherSettings,
  ) {}

  tokenParameter(workerId: string): string {
    return `${this.settings.tokenParameterPrefix}/${workerId}`;
  }

  async launch(worker: WorkerCredentials, trigger: LaunchTrigger): Promise<{ instanceId?: string }> {
    const { workerId } = worker;
    const parameter = this.tokenParameter(workerId);
    await this.ssm.send(
      new PutParameterCommand({
        Name: parameter,
        Type: 'SecureString',
        Value: worker.token,
        Description: 'Revela batch worker token (deleted when the worker stops)',
        Tags: [
          { Key: 'revela:role', Value: 'batch-worker' },
          { Key: 'revela:worker-id', Value: workerId },
        ],
      }),
    );
    try {
      const tags = [
        { Key: 'Name', Value: `revela-batch-worker-${workerId.slice(0, 8)}` },
        { Key: 'revela:role', Value: 'batch-worker' },
        { Key: 'revela:worker-id', Value: workerId },
        ...(trigger.tenantId ? [{ Key: 'revela:tenant-id', Value: trigger.tenantId }] : []),
        ...(trigger.jobId ? [{ Key: 'revela:job-id', Value: trigger.jobId }] : []),
      ];
      const env = {
        ...workerEnvironment(this.config, { workerId, apiUrl: this.settings.apiUrl }),
        WORKER_TOKEN_PARAMETER: parameter,
        AWS_REGION: this.settings.region,
        POWER_OFF_ON_EXIT: 'true',
      };
      const result = await this.ec2.send(
        new RunInstancesCommand({
          LaunchTemplate: { LaunchTemplateId: this.settings.launchTemplateId, Version: this.settings.launchTemplateVersion },
          MinCount: 1,
          MaxCount: 1,
          InstanceInitiatedShutdownBehavior: 'terminate',
          UserData: Buffer.from(userData(env)).toString('base64'),
          TagSpecifications: [
            { ResourceType: 'instance', Tags: tags },
            { ResourceType: 'volume', Tags: tags },
          ],
          ClientToken: workerId,
        }),
      );
      const instanceId = result.Instances?.[0]?.InstanceId;
      if (!instanceId) throw new Error('RunInstances returned no instance');
      // Only this instance's role may read the token: the worker role's policy matches this tag
      // against the caller's ec2:SourceInstanceARN.
      const instanceArn = `arn:aws:ec2:${this.settings.region}:${result.OwnerId ?? ''}:instance/${instanceId}`;
      await this.ssm.send(
        new AddTagsToResourceCommand({
          ResourceType: 'Parameter',
          ResourceId: parameter,
          Tags: [{ Key: 'revela:instance-arn', Value: instanceArn }],
        }),
      );
      this.logger.log({ workerId, instanceId, jobId: trigger.jobId }, 'batch worker instance requested');
      return { instanceId };
    } catch (error) {
      await this.forget(workerId);
      throw error;
    }
  }

  async terminate(worker: { workerId: string; instanceId: string | null }): Promise<void> {
    if (worker.instanceId) {
      try {
        await this.ec2.send(new TerminateInstancesCommand({ InstanceIds: [worker.instanceId] }));
      } catch (err) {
        // Already gone: nothing left to stop.
        if ((err as { name?: string }).name !== 'InvalidInstanceID.NotFound') throw err;
      }
      this.logger.warn({ workerId: worker.workerId, instanceId: worker.instanceId }, 'batch worker instance terminated');
    }
    await this.forget(worker.workerId);
  }

  async forget(workerId: string): Promise<void> {
    try {
      await this.ssm.send(new DeleteParameterCommand({ Name: this.tokenParameter(workerId) }));
    } catch (err) {
      if ((err as { name?: string }).name !== 'ParameterNotFound')
        this.logger.warn({ err, workerId }, 'could not delete the worker token parameter');
    }
  }

  async shutdown(): Promise<void> {
    // Instances stop themselves after IDLE_SHUTDOWN_SECONDS without work.
  }
}

/** Cloud-init script: writes the worker's (non-secret) environment and starts its service. */
export function userData(env: Record<string, string>): string {
  const lines = Object.entries(env).map(([name, value]) => `${name}=${value}`);
  return [
    '#!/bin/bash',
    'set -euo pipefail',
    'install -d -m 0755 /etc/revela',
    "cat > /etc/revela/worker.env <<'ENV'",
    ...lines,
    'ENV',
    'systemctl start revela-batch-worker',
    '',
  ].join('\n');
}
