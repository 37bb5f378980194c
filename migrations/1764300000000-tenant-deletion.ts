import type { MigrationInterface, QueryRunner } from 'typeorm';

const OWNER_COLUMNS = `id uuid, tenant_id uuid, kind text, name text, created_at timestamptz, secret_hash bytea, revoked_at timestamptz,
                     last_used_at timestamptz, scopes text[], expires_at timestamptz, suspended_at timestamptz`;
const OWNER_SELECT = `SELECT k.id, k.tenant_id, t.kind, t.name, t.created_at, k.secret_hash, k.revoked_at, k.last_used_at, k.scopes, k.expires_at,
                            t.suspended_at
                       FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
                      WHERE k.prefix = key_prefix`;

/**
 * A tenant being deleted is marked first (`deleting_at`), and only then are its objects and rows
 * removed, so an interrupted deletion is resumed from the mark. From the mark on, its keys find no
 * owner (401) and its work is no longer claimed.
 */
export class TenantDeletion1764300000000 implements MigrationInterface {
  name = 'TenantDeletion1764300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE tenants ADD COLUMN deleting_at timestamptz`);
    await this.ownerFunction(db, `${OWNER_SELECT} AND t.deleting_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await this.ownerFunction(db, OWNER_SELECT);
    await db.query(`ALTER TABLE tenants DROP COLUMN deleting_at`);
  }

  private async ownerFunction(db: QueryRunner, body: string): Promise<void> {
    await db.query(`
      CREATE OR REPLACE FUNCTION revela_api_key_owner(key_prefix text)
      RETURNS TABLE (${OWNER_COLUMNS})
      LANGUAGE plpgsql STABLE
      SET revela.bypass = 'on'
      AS $$ BEGIN
        RETURN QUERY ${body};
      END $$`);
  }
}
