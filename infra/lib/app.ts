import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * Feature flags the stack relies on (set here, not in cdk.json, so that the tests' apps and the
 * CLI's app behave the same).
 */
export const FEATURE_FLAGS = {
  // Server access logs are delivered through a bucket policy, not the LogDeliveryWrite ACL, so every bucket can enforce bucket-owner ownership.
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  // Merge IAM statements CDK generates (smaller policies).
  '@aws-cdk/aws-iam:minimizePolicies': true,
} as const;

export interface RevelaAppProps extends AppProps {
  /** Run the AwsSolutions checks (cdk-nag) at synthesis; on by default. */
  checks?: boolean;
}

/** An app with the stack's feature flags and, unless turned off, the AwsSolutions checks as a validation plugin. */
export function createApp({ checks = true, ...props }: RevelaAppProps = {}): App {
  const app = new App({ ...props, context: { ...FEATURE_FLAGS, ...props.context } });
  if (checks) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}
