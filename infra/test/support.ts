/**
 * Helpers for the stack tests: synthesise the stack offline, evaluate the CloudFormation intrinsics
 * of the template with fake ids (no account needed), and answer "would IAM allow this request?"
 * from the synthesised policies.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { createApp } from '../lib/app.js';
import { RevelaStack } from '../lib/revela-stack.js';
import { parseSettings, type RevelaSettings } from '../lib/settings.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const CERTIFICATE = `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555`;
export const CONSOLE = 'https://console.revela.test';

export function testSettings(overrides: Record<string, unknown> = {}): RevelaSettings {
  return parseSettings({
    environment: 'test',
    region: REGION,
    certificateArn: CERTIFICATE,
    workerAmiId: 'ami-0123456789abcdef0',
    consoleOrigins: [CONSOLE],
    ...overrides,
  });
}

let placeholder: string | undefined;
/** Template tests need an asset file, not the real bundle (the bundle has its own test). */
function placeholderZip(): string {
  if (!placeholder) {
    placeholder = path.join(mkdtempSync(path.join(os.tmpdir(), 'revela-infra-')), 'thumbnail-lambda.zip');
    writeFileSync(placeholder, 'not a real bundle');
  }
  return placeholder;
}

export interface Synthesized {
  stack: RevelaStack;
  template: Template;
  json: CfnTemplate;
  evaluate: (value: unknown) => unknown;
  logicalId: (construct: IConstruct) => string;
}

export interface CfnTemplate {
  Resources: Record<
    string,
    { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string; DependsOn?: string[] }
  >;
  Outputs?: Record<string, unknown>;
}

/** Synthesises the stack in memory, with no AWS account, credentials or network. */
export function synthesize(
  overrides: Record<string, unknown> = {},
  options: { checks?: boolean; templateValidation?: boolean; zipPath?: string } = {},
): Synthesized {
  // Template tests skip the validation plugins (cdk-nag; CloudFormation's schema check, whose
  // WebAssembly validator takes ~15 s to load): infra/test/nag.test.ts runs them.
  const checks = options.checks ?? false;
  const app = createApp({
    outdir: mkdtempSync(path.join(os.tmpdir(), 'revela-cdk-out-')),
    checks,
    builtinCloudFormationValidation: options.templateValidation ?? checks,
  });
  const stack = new RevelaStack(app, 'RevelaTest', {
    settings: testSettings(overrides),
    thumbnailZipPath: options.zipPath ?? placeholderZip(),
  });
  const template = Template.fromStack(stack);
  const json = template.toJSON() as CfnTemplate;
  return {
    stack,
    template,
    json,
    evaluate: (value) => evaluate(json, value),
    logicalId: (construct) => stack.getLogicalId((construct.node.defaultChild ?? construct) as CfnElement),
  };
}

export function resourcesOfType(json: CfnTemplate, type: string): Array<[string, Record<string, unknown>]> {
  return Object.entries(json.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => [id, r.Properties ?? {}]);
}

// ------------------------------------------------------------------ intrinsic functions

const FAKE_REFS: Record<string, (id: string) => string> = {
  'AWS::EC2::LaunchTemplate': () => 'lt-0a1b2c3d4e5f60718',
  'AWS::EC2::Volume': () => 'vol-0a1b2c3d4e5f60718',
  'AWS::EC2::Instance': () => 'i-0a1b2c3d4e5f60718',
  'AWS::EC2::Subnet': (id) => `subnet-${hex(id)}`,
  'AWS::EC2::VPC': () => 'vpc-0a1b2c3d4e5f60718',
  'AWS::IAM::Role': (id) => id,
};

function hex(text: string): string {
  let h = 0;
  for (const c of text) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h.toString(16).padStart(8, '0').repeat(2).slice(0, 17);
}

/** Evaluates Ref, Fn::GetAtt, Fn::Join, Fn::Select, Fn::GetAZs and Fn::Base64 with fake ids. */
export function evaluate(json: CfnTemplate, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => evaluate(json, v));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (keys.length === 1) {
    const [fn] = keys;
    const arg = object[fn];
    switch (fn) {
      case 'Ref':
        return ref(json, arg as string);
      case 'Fn::GetAtt':
        return getAtt(json, ...(arg as [string, string]));
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, unknown[]];
        return (evaluate(json, parts) as unknown[]).map(String).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [number, unknown];
        return (evaluate(json, list) as unknown[])[Number(index)];
      }
      case 'Fn::GetAZs':
        return [`${REGION}a`, `${REGION}b`];
      case 'Fn::Sub': {
        const [text, variables] = (typeof arg === 'string' ? [arg, {}] : arg) as [string, Record<string, unknown>];
        return text.replace(/\$\{([^}!]+)\}/g, (_, name: string) =>
          name in variables
            ? String(evaluate(json, variables[name]))
            : name.includes('.')
              ? getAtt(json, ...(name.split('.', 2) as [string, string]))
              : ref(json, name),
        );
      }
      case 'Fn::Base64':
        return evaluate(json, arg); // kept as text: the tests read user data
      default:
        if (fn.startsWith('Fn::')) throw new Error(`unsupported intrinsic ${fn}`);
    }
  }
  return Object.fromEntries(keys.map((k) => [k, evaluate(json, object[k])]));
}

function ref(json: CfnTemplate, name: string): string {
  const pseudo: Record<string, string> = {
    'AWS::AccountId': ACCOUNT,
    'AWS::Region': REGION,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': 'RevelaTest',
  };
  if (pseudo[name]) return pseudo[name];
  const resource = json.Resources[name];
  if (!resource) throw new Error(`Ref to unknown ${name}`);
  const props = resource.Properties ?? {};
  if (resource.Type === 'AWS::S3::Bucket' && props.BucketName) return evaluate(json, props.BucketName) as string;
  return FAKE_REFS[resource.Type]?.(name) ?? name;
}

function getAtt(json: CfnTemplate, name: string, attribute: string): string {
  const resource = json.Resources[name];
  if (!resource) throw new Error(`GetAtt of unknown ${name}`);
  const props = resource.Properties ?? {};
  const named = (key: string) => (props[key] ? (evaluate(json, props[key]) as string) : name);
  switch (`${resource.Type}.${attribute}`) {
    case 'AWS::EC2::SecurityGroup.GroupId':
      return `sg-${hex(name)}`;
    case 'AWS::IAM::Role.Arn':
      return `arn:aws:iam::${ACCOUNT}:role/${name}`;
    case 'AWS::IAM::InstanceProfile.Arn':
      return `arn:aws:iam::${ACCOUNT}:instance-profile/${name}`;
    case 'AWS::S3::Bucket.Arn':
      return `arn:aws:s3:::${named('BucketName')}`;
    case 'AWS::Logs::LogGroup.Arn':
      return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${named('LogGroupName')}:*`;
    case 'AWS::Lambda::Function.Arn':
      return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${named('FunctionName')}`;
    case 'AWS::SQS::Queue.Arn':
      return `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
    case 'AWS::EC2::Instance.PrivateIp':
      return '10.40.1.10';
    default:
      return `${name}.${attribute}`;
  }
}

// ------------------------------------------------------------------ IAM

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface FoundPolicy {
  /** The resource that holds the document (role, policy, bucket policy, endpoint, …). */
  holder: string;
  holderType: string;
  statement: Statement;
}

const arrayOf = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Every policy statement anywhere in the template, evaluated. */
export function allStatements(json: CfnTemplate): FoundPolicy[] {
  const found: FoundPolicy[] = [];
  for (const [id, resource] of Object.entries(json.Resources)) {
    const props = resource.Properties ?? {};
    const documents: unknown[] = [];
    if (props.PolicyDocument) documents.push(props.PolicyDocument);
    for (const inline of arrayOf(props.Policies as Array<{ PolicyDocument: unknown }> | undefined)) documents.push(inline.PolicyDocument);
    for (const document of documents) {
      for (const statement of arrayOf((evaluate(json, document) as { Statement: Statement[] }).Statement)) {
        found.push({ holder: id, holderType: resource.Type, statement });
      }
    }
  }
  return found;
}

/** The identity-policy statements that apply to one role (inline, and AWS::IAM::Policy attached to it). */
export function roleStatements(json: CfnTemplate, roleLogicalId: string): Statement[] {
  const statements: Statement[] = [];
  for (const [id, resource] of Object.entries(json.Resources)) {
    const props = resource.Properties ?? {};
    if (id === roleLogicalId && resource.Type === 'AWS::IAM::Role') {
      for (const inline of arrayOf(props.Policies as Array<{ PolicyDocument: unknown }> | undefined)) {
        statements.push(...arrayOf((evaluate(json, inline.PolicyDocument) as { Statement: Statement[] }).Statement));
      }
    }
    if (resource.Type === 'AWS::IAM::Policy' && JSON.stringify(props.Roles ?? []).includes(`"${roleLogicalId}"`)) {
      statements.push(...arrayOf((evaluate(json, props.PolicyDocument) as { Statement: Statement[] }).Statement));
    }
  }
  return statements;
}

export interface Request {
  action: string;
  resource: string;
  /** Request context: condition keys such as aws:RequestTag/revela:role or ec2:SourceInstanceARN. */
  context?: Record<string, string>;
}

function wildcard(pattern: string, value: string, caseInsensitive = false): boolean {
  const source = `^${pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')}$`;
  return new RegExp(source, caseInsensitive ? 'i' : '').test(value);
}

function substituteVariables(value: string, context: Record<string, string>): string | undefined {
  let missing = false;
  const result = value.replace(/\$\{([^}]+)\}/g, (_, key: string) => {
    if (context[key] === undefined) missing = true;
    return context[key] ?? '';
  });
  return missing ? undefined : result;
}

function conditionHolds(operator: string, key: string, expected: string[], context: Record<string, string>): boolean {
  const actual = context[key];
  if (actual === undefined) return false;
  const values = expected.map((v) => substituteVariables(v, context)).filter((v): v is string => v !== undefined);
  switch (operator) {
    case 'StringEquals':
    case 'ArnEquals':
      return values.includes(actual);
    case 'StringLike':
    case 'ArnLike':
      return values.some((v) => wildcard(v, actual));
    case 'Bool':
      return values.includes(actual);
    default:
      throw new Error(`condition operator ${operator} is not simulated`);
  }
}

function statementMatches(statement: Statement, request: Request): boolean {
  const context = request.context ?? {};
  if (!arrayOf(statement.Action).some((a) => wildcard(a, request.action, true))) return false;
  if (!arrayOf(statement.Resource).some((r) => wildcard(r, request.resource))) return false;
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    for (const [key, expected] of Object.entries(keys)) {
      if (!conditionHolds(operator, key, arrayOf(expected), context)) return false;
    }
  }
  return true;
}

/** Identity-policy evaluation: some Allow matches and no Deny does. */
export function allowed(statements: Statement[], request: Request): boolean {
  return (
    statements.some((s) => s.Effect === 'Allow' && statementMatches(s, request)) &&
    !statements.some((s) => s.Effect === 'Deny' && statementMatches(s, request))
  );
}
