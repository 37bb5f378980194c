export const EC2_CLIENT = Symbol('EC2Client');
export const SSM_CLIENT = Symbol('SSMClient');
