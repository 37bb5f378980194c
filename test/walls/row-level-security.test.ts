import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { asSystem, withTenant } from '#database';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The database's own tenant wall. These queries are deliberately unscoped (no WHERE tenant_id):
 * they go through the API's own connection pool and role, so only row-level security decides
 * what they see.
 */
describe('row-level security (the second tenant wall)', () => {
  let t: TestApp;
  let db: DataSource;
  let a: { id: string; key: string };
  let b: { id: string; key: string };

  before(async () => {
    t = await startTestApp();
    db = t.app.get(DataSource);
    a = await t.createTenant('clinic', 'Clinic A');
    b = await t.createTenant('clinic', 'Clinic B');
    for (const [tenant, names] of [
      [a, ['Rex', 'Mia']],
      [b, ['Bolt']],
    ] as const) {
      for (const name of names) {
        const res = await t
          .http()
          .post('/v1/animals')
          .set('Authorization', `Bearer ${tenant.key}`)
          .send({ name, species: 'dog', tutor: { name: 'Ana' } });
        assert.equal(res.status, 201, res.text);
      }
    }
  });
  after(async () => {
    await t.close();
  });

  const names = (rows: Array<{ name: string }>) => rows.map((r) => r.name).sort();

  it("runs as a role that owns nothing and is subject to RLS, even on the test's superuser URL", async () => {
    const [role] = await db.query(
      `SELECT current_user AS name, (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user) AS exempt`,
    );
    assert.deepEqual(role, { name: 'revela_app', exempt: false });
    const [owned] = await db.query(
      `SELECT count(*)::int AS n FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)`,
    );
    assert.equal(owned.n, 0);
  });

  it("an unscoped SELECT * FROM animals in tenant A's context returns only A's rows", async () => {
    assert.deepEqual(names(await withTenant(a.id, () => db.query('SELECT * FROM animals'))), ['Mia', 'Rex']);
    assert.deepEqual(names(await withTenant(b.id, () => db.query('SELECT * FROM animals'))), ['Bolt']);
    assert.deepEqual(names(await withTenant(a.id, () => db.query('SELECT * FROM tenants'))), ['Clinic A']);
  });

  it('returns nothing when no tenant is set', async () => {
    assert.deepEqual(await db.query('SELECT * FROM animals'), []);
    assert.deepEqual(await db.query('SELECT * FROM api_keys'), []);
    assert.deepEqual(await db.query('SELECT * FROM tenants'), []);
  });

  it("refuses to write a row into another tenant's name", async () => {
    await assert.rejects(
      withTenant(a.id, () =>
        db.query(
          `INSERT INTO animals (id, tenant_id, name, species, tutor_name) VALUES (gen_random_uuid(), $1, 'Intruder', 'cat', 'Eve')`,
          [b.id],
        ),
      ),
      /row-level security/,
    );
    const moved = await withTenant(a.id, () => db.query(`UPDATE animals SET name = 'Renamed'`));
    assert.equal(moved[1], 2, "an unscoped UPDATE touches only the tenant's own rows");
    assert.deepEqual(names(await withTenant(b.id, () => db.query('SELECT * FROM animals'))), ['Bolt']);
  });

  it('a pooled connection reused by another tenant sees only that tenant; no setting survives', async () => {
    const runner = db.createQueryRunner();
    try {
      const pid = async () => (await runner.query('SELECT pg_backend_pid() AS pid'))[0].pid as number;
      const first = await withTenant(a.id, async () => ({ pid: await pid(), rows: await runner.query('SELECT name FROM animals') }));
      const second = await withTenant(b.id, async () => ({ pid: await pid(), rows: await runner.query('SELECT name FROM animals') }));
      assert.equal(first.pid, second.pid, 'the same physical connection');
      assert.equal(first.rows.length, 2);
      assert.deepEqual(names(second.rows), ['Bolt']);
      const [left] = await runner.query(
        `SELECT coalesce(current_setting('revela.tenant_id', true), '') AS tenant, coalesce(current_setting('revela.bypass', true), '') AS bypass`,
      );
      assert.deepEqual(left, { tenant: '', bypass: '' });
      assert.deepEqual(await runner.query('SELECT name FROM animals'), []);
      // A transaction opened inside a scope carries it; after it, the connection is clean again.
      await withTenant(b.id, async () => {
        await runner.startTransaction();
        assert.deepEqual(names(await runner.query('SELECT name FROM animals')), ['Bolt']);
        await runner.commitTransaction();
      });
      assert.deepEqual(await runner.query('SELECT name FROM animals'), []);
    } finally {
      await runner.release();
    }
  });

  it('the explicit system scope sees every tenant (platform admin and internal paths)', async () => {
    const rows = await asSystem('test', () => db.query('SELECT DISTINCT tenant_id FROM animals'));
    assert.equal(rows.length, 2);
  });

  it('requests still see their own data through the API, and a foreign id is 404', async () => {
    const list = await t.http().get('/v1/animals').set('Authorization', `Bearer ${b.key}`);
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.items.map((x: { name: string }) => x.name),
      ['Bolt'],
    );
    const foreign = await t.http().get(`/v1/animals/${list.body.items[0].id}`).set('Authorization', `Bearer ${a.key}`);
    assert.equal(foreign.status, 404);
  });
});
