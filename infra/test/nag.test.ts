/**
 * cdk-nag's AwsSolutions checks (and CDK's built-in CloudFormation schema validation) run as
 * validation plugins at synthesis, exactly as `npm run synth` and `cdk deploy` run them. cdk-nag v3
 * reports through CDK's validation report rather than annotations; an unacknowledged error makes
 * synthesis throw.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Stack, type Stage, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { createApp } from '../lib/app.js';
import { type Synthesized, synthesize } from './support.js';

interface ValidationReport {
  pluginReports: Array<{
    pluginName: string;
    conclusion: string;
    violations: Array<{ ruleName: string; severity: string; violatingConstructs: Array<{ constructPath: string }> }>;
  }>;
}

function report(s: Synthesized): ValidationReport {
  const assembly = (s.stack.node.root as Stage).synth();
  return JSON.parse(readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8')) as ValidationReport;
}

function acknowledgments(root: IConstruct): Array<{ path: string; id: string; reason: string }> {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .map(([id, reason]) => ({ path: construct.node.path, id, reason })),
  );
}

for (const database of ['ebs', 'rds'] as const) {
  describe(`AwsSolutions checks (database: ${database})`, () => {
    // Synthesis itself fails on an unacknowledged AwsSolutions error, so reaching the assertions is the first proof.
    // CloudFormation's own template validation runs once (default settings): it is slow to load, and the RDS variant adds only RDS resources.
    const s = synthesize({ database }, { checks: true, templateValidation: database === 'ebs' });

    it('report no unacknowledged error, and no error annotation', () => {
      const errors = report(s)
        .pluginReports.filter((r) => r.pluginName === 'AwsSolutions')
        .flatMap((r) =>
          r.violations
            .filter((v) => v.severity === 'error')
            .map((v) => `${v.ruleName} at ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`),
        );
      assert.deepEqual(errors, []);
      assert.deepEqual(Annotations.fromStack(s.stack).findError('*', Match.anyValue()), []);
    });

    if (database === 'ebs') {
      it("pass CloudFormation's own template validation", () => {
        const reports = report(s).pluginReports.filter((r) => r.pluginName !== 'AwsSolutions');
        assert.ok(reports.length > 0, 'the CloudFormation validation ran');
        assert.deepEqual(
          reports.filter((r) => r.conclusion !== 'success'),
          [],
        );
      });
    }

    it('every acknowledgment carries its reason', () => {
      const acks = acknowledgments(s.stack);
      for (const ack of acks) assert.ok(ack.reason.length >= 40, `${ack.id} at ${ack.path}: "${ack.reason}"`);
      // CDK acknowledges a few of its own CloudFormation-Validate findings; every other one is the stack's, listed in infra/README.md.
      const ours = acks.filter((a) => !/^CloudFormation-Validate::[WF]30/.test(a.id));
      assert.ok(ours.length >= 10);
      assert.deepEqual(ours.map((a) => `${a.path} ${a.id}`).sort(), s.stack.acknowledged.map((a) => `${a.path} ${a.id}`).sort());
    });
  });
}

describe('the checks are live', () => {
  it('a non-compliant resource in the same app fails synthesis', () => {
    const app = createApp({ outdir: mkdtempSync(path.join(os.tmpdir(), 'revela-cdk-bad-')), builtinCloudFormationValidation: false });
    new sqs.Queue(new Stack(app, 'Bad'), 'Plain', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    const quiet = console.error; // the CDK prints the report it throws about
    console.error = () => undefined;
    try {
      assert.throws(() => app.synth(), /Validation failed/);
    } finally {
      console.error = quiet;
    }
    const found = JSON.parse(readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
    const rules = found.pluginReports.flatMap((r) => r.violations.map((v) => v.ruleName));
    assert.ok(rules.includes('AwsSolutions-SQS4'), rules.join(', '));
  });
});
