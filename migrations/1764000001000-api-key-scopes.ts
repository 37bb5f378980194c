import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Scoped, expiring API keys: `read`, `write`, `keys` (key management). Existing keys keep every
 * right they had (all three); a key past `expires_at` authenticates no more. The authentication
 * function answers both, so the guard decides in the same single round trip.
 */
export class ApiKeyScopes1764000001000 implements MigrationInterface {
  name = 'ApiKeyScopes1764000001000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE api_keys
        ADD COLUMN scopes text[] NOT NULL DEFAULT ARRAY['read', 'write', 'keys'],
        ADD COLUMN expires_at timestamptz,
        ADD CONSTRAINT api_keys_scopes_check CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['read', 'write', 'keys'])`);
    await db.query(`ALTER TABLE api_keys ALTER COLUMN scopes DROP DEFAULT`);
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
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION revela_api_key_owner(text)`);
    await db.query(`
      CREATE FUNCTION revela_api_key_owner(key_prefix text)
      RETURNS TABLE (id uuid, tenant_id uuid, kind text, name text, created_at timestamptz, secret_hash bytea, revoked_at timestamptz, last_used_at timestamptz)
      LANGUAGE plpgsql STABLE
      SET revela.bypass = 'on'
      AS $$ BEGIN
        RETURN QUERY SELECT k.id, k.tenant_id, t.kind, t.name, t.created_at, k.secret_hash, k.revoked_at, k.last_used_at
                       FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
                      WHERE k.prefix = key_prefix;
      END $$`);
    await db.query(`REVOKE ALL ON FUNCTION revela_api_key_owner(text) FROM PUBLIC`);
    await db.query(`GRANT EXECUTE ON FUNCTION revela_api_key_owner(text) TO revela_app`);
    await db.query(`ALTER TABLE api_keys DROP CONSTRAINT api_keys_scopes_check, DROP COLUMN scopes, DROP COLUMN expires_at`);
  }
}
