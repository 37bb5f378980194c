import { randomUUID } from 'node:crypto';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { Logger } from '@nestjs/common';
import type { WorkersRegistry } from '#database';
import type { LaunchTrigger, WorkerLauncher } from './worker-launcher.js';

export interface Ec2LauncherSettings {
  launchTemplateId: string;
  launchTemplateVersion: string;
}

/**
 * Starts each worker as an EC2 instance from a launch template. The template carries the AMI,
 * instance type, IAM role and the worker's configuration (from SSM); user data carries only the
 * worker id. The worker powers the instance off when idle, and shutdown means terminate.
 */
export class Ec2WorkerLauncher implements WorkerLauncher {
  readonly kind = 'ec2' as const;
  private readonly logger = new Logger(Ec2WorkerLauncher.name);

  constructor(
    private readonly ec2: EC2Client,
    private readonly registry: WorkersRegistry,
    private readonly settings: Ec2LauncherSettings,
  ) {}

  async launch(trigger: LaunchTrigger): Promise<void> {
    const id = randomUUID();
    const tags = [
      { Key: 'Name', Value: `revela-batch-worker-${id.slice(0, 8)}` },
      { Key: 'revela:role', Value: 'batch-worker' },
      { Key: 'revela:worker-id', Value: id },
      ...(trigger.tenantId ? [{ Key: 'revela:tenant-id', Value: trigger.tenantId }] : []),
      ...(trigger.jobId ? [{ Key: 'revela:job-id', Value: trigger.jobId }] : []),
    ];
    const result = await this.ec2.send(
      new RunInstancesCommand({
        LaunchTemplate: { LaunchTemplateId: this.settings.launchTemplateId, Version: this.settings.launchTemplateVersion },
        MinCount: 1,
        MaxCount: 1,
        InstanceInitiatedShutdownBehavior: 'terminate',
        UserData: Buffer.from(userData(id)).toString('base64'),
        TagSpecifications: [
          { ResourceType: 'instance', Tags: tags },
          { ResourceType: 'volume', Tags: tags },
        ],
        ClientToken: id,
      }),
    );
    const instanceId = result.Instances?.[0]?.InstanceId;
    if (!instanceId) throw new Error('RunInstances returned no instance');
    await this.registry.register({ id, kind: 'ec2', instanceId });
    this.logger.log({ workerId: id, instanceId, jobId: trigger.jobId }, 'batch worker instance requested');
  }

  async shutdown(): Promise<void> {
    // Instances stop themselves after IDLE_SHUTDOWN_SECONDS without work.
  }
}

/** Cloud-init script: the worker id is the only instance-specific value, and it is not a secret. */
export function userData(workerId: string): string {
  return ['#!/bin/bash', 'set -euo pipefail', `echo "WORKER_ID=${workerId}" >> /etc/revela/worker.env`, 'systemctl start revela-batch-worker', ''].join('\n');
}
