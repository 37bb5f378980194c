import { GetParameterCommand, GetParametersByPathCommand, type SSMClient } from '@aws-sdk/client-ssm';

/** The variables that may come from Parameter Store instead of the environment. */
export const SECRET_VARIABLES = ['ADMIN_TOKEN', 'CALLBACK_SIGNING_KEY', 'DATABASE_URL'] as const;

/**
 * With RUNTIME=aws and SSM_PARAMETER_PREFIX, the API's secrets live in Parameter Store
 * (SecureString, e.g. /revela/prod/config/ADMIN_TOKEN) and are read once at start, before the
 * configuration is validated. A variable set in the environment wins. Other parameters under the
 * path are ignored, so the path cannot smuggle in arbitrary settings.
 */
export async function withSsmSecrets(env: NodeJS.ProcessEnv, ssm: () => SSMClient): Promise<NodeJS.ProcessEnv> {
  const prefix = env.SSM_PARAMETER_PREFIX;
  if (env.RUNTIME !== 'aws' || !prefix) return env;
  const path = prefix.endsWith('/') ? prefix : `${prefix}/`;
  const client = ssm();
  const found: Record<string, string> = {};
  let token: string | undefined;
  do {
    const page = await client.send(
      new GetParametersByPathCommand({ Path: path, WithDecryption: true, Recursive: false, NextToken: token }),
    );
    for (const parameter of page.Parameters ?? []) {
      const name = parameter.Name?.slice(path.length);
      if (name && parameter.Value && (SECRET_VARIABLES as readonly string[]).includes(name)) found[name] = parameter.Value;
    }
    token = page.NextToken;
  } while (token);
  return { ...found, ...env };
}

/**
 * The thumbnail Lambda keeps its signing key out of its environment: it names a SecureString
 * (CALLBACK_SIGNING_KEY_PARAMETER) read once per container. A key set directly wins.
 */
export async function withSigningKeyFromSsm(env: NodeJS.ProcessEnv, ssm: () => SSMClient): Promise<NodeJS.ProcessEnv> {
  const name = env.CALLBACK_SIGNING_KEY_PARAMETER;
  if (!name || env.CALLBACK_SIGNING_KEY) return env;
  const result = await ssm().send(new GetParameterCommand({ Name: name, WithDecryption: true }));
  const value = result.Parameter?.Value;
  if (!value) throw new Error(`the SSM parameter ${name} (CALLBACK_SIGNING_KEY_PARAMETER) has no value`);
  return { ...env, CALLBACK_SIGNING_KEY: value };
}
