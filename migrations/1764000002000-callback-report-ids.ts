import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Lambda's signed reports carry an id, accepted once: this table remembers the ids received in
 * the signature's tolerance window (and a little more), so a captured report cannot be replayed.
 * It belongs to the platform: only the API's system scope may touch it.
 */
export class CallbackReportIds1764000002000 implements MigrationInterface {
  name = 'CallbackReportIds1764000002000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE callback_reports (
        report_id uuid PRIMARY KEY,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX callback_reports_received ON callback_reports (received_at)`);
    await db.query(`GRANT SELECT, INSERT, DELETE ON callback_reports TO revela_app`);
    await db.query(`ALTER TABLE callback_reports ENABLE ROW LEVEL SECURITY`);
    await db.query(`ALTER TABLE callback_reports FORCE ROW LEVEL SECURITY`);
    const bypass = `(SELECT coalesce(current_setting('revela.bypass', true), '') = 'on')`;
    await db.query(`CREATE POLICY tenant_wall ON callback_reports USING (${bypass}) WITH CHECK (${bypass})`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE callback_reports');
  }
}
