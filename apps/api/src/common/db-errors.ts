/** True when `error` is PostgreSQL's unique_violation (23505) on the named constraint. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const candidate =
    (error as { driverError?: { code?: string; constraint?: string } }).driverError ?? (error as { code?: string; constraint?: string });
  return candidate?.code === '23505' && candidate.constraint === constraint;
}
