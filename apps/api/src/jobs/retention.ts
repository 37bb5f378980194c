/**
 * When a job that finishes now expires: its tenant's retention, else the configured default. SQL
 * expression over two parameter placeholders (the tenant id, the default number of days).
 */
export function expirySql(tenantParam: string, defaultDaysParam: string): string {
  return `(now() + make_interval(days => COALESCE((SELECT l.retention_days FROM tenant_limits l WHERE l.tenant_id = ${tenantParam}), ${defaultDaysParam}::int)))`;
}
