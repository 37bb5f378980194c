import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A tenant can be suspended by the platform admin: its keys then answer 403 tenant-suspended.
 * The authentication function returns the flag, so the check costs no extra round trip.
 */
export class TenantSuspension1764000004000 implements MigrationInterface {
  name = 'TenantSuspension1764000004000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE tenants ADD COLUMN suspended_at timestamptz`);
    await db.query(`DROP FUNCTION revela_api_key_owner(text)`);
    await db.query(`
      CREATE FUNCTION revela_api_key_owner(key_prefix text)
      RETURNS TABLE (id uuid, tenant_id uuid, kind text, name text, created_at timestamptz, secret_hash bytea, revoked_at timestamptz,
                     last_used_at timestamptz, scopes text[], expires_at timestamptz, suspended_at timestamptz)
      LANGUAGE plpgsql STABLE
      SET revela.bypass = 'on'
      AS $$ BEGIN
        RETURN QUERY SELECT k.id, k.tenant_id, t.kind, t.name, t.created_at, k.secret_hash, k.revoked_at, k.last_used_at, k.scopes, k.expires_at,
                            t.suspended_at
                       FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
                      WHERE k.prefix = key_prefix;
      END $$`);
    await db.query(`REVOKE ALL ON FUNCTION revela_api_key_owner(text) FROM PUBLIC`);
    await db.query(`GRANT EXECUTE ON FUNCTION revela_api_key_owner(text) TO revela_app`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION revela_api_key_owner(text)`);
    await db.query(`
      CREATE FUNCTION revela_api_key_owner(key_prefix text)
      RETURNS TABLE (id uuid, tenant_id uuid, kind text, name text, created_at timestamptz, secret_hash bytea, revoked_at timestamptz,
                     last_used_at timestamptz, scopes text[], expires_at timestamptz)
      LANGUAGE plpgsql STABLE
      SET revela.bypass = 'on'
      AS $$ BEGIN
        RETURN QUERY SELECT k.id, k.tenant_id, t.kind, t.name, t.created_at, k.secret_hash, k.revoked_at, k.last_used_at, k.scopes, k.expires_at
                       FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
                      WHERE k.prefix = key_prefix;
      END $$`);
    await db.query(`REVOKE ALL ON FUNCTION revela_api_key_owner(text) FROM PUBLIC`);
    await db.query(`GRANT EXECUTE ON FUNCTION revela_api_key_owner(text) TO revela_app`);
    await db.query(`ALTER TABLE tenants DROP COLUMN suspended_at`);
  }
}
