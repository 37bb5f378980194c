export const WORKERS_REGISTRY = Symbol('WorkersRegistry');
export const EC2_CLIENT = Symbol('EC2Client');
