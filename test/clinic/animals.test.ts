import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startTestApp, type TestApp } from '../support/test-app.js';

const PROBLEM = /^application\/problem\+json/;

const bolinha = {
  name: 'Bolinha',
  species: 'dog',
  breed: 'Beagle',
  sex: 'female',
  neutered: true,
  birthDate: '2019-04-12',
  microchipId: '900 123-456789012',
  weightKg: 12.4,
  tutor: { name: 'Maria Silva', phone: '+351 912 345 678', email: 'maria@example.com' },
  notes: 'Allergic to penicillin.',
};

describe('animals', () => {
  let t: TestApp;
  let clinic: { id: string; key: string };
  const auth = () => `Bearer ${clinic.key}`;

  before(async () => {
    t = await startTestApp();
    clinic = await t.createTenant('clinic');
  });
  after(async () => {
    await t.close();
  });

  it('creates, reads, updates and deletes an animal', async () => {
    const created = await t.http().post('/v1/animals').set('Authorization', auth()).send(bolinha);
    assert.equal(created.status, 201, created.text);
    const id = created.body.id as string;
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(
      { ...created.body, id: undefined, createdAt: undefined, updatedAt: undefined },
      { ...bolinha, microchipId: '900123456789012', id: undefined, createdAt: undefined, updatedAt: undefined },
    );

    const fetched = await t.http().get(`/v1/animals/${id}`).set('Authorization', auth());
    assert.equal(fetched.status, 200);
    assert.deepEqual(fetched.body, created.body);

    const patched = await t
      .http()
      .patch(`/v1/animals/${id}`)
      .set('Authorization', auth())
      .send({ weightKg: 13.05, breed: null, tutor: { phone: null } });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.weightKg, 13.05);
    assert.equal(patched.body.breed, null);
    assert.deepEqual(patched.body.tutor, { name: 'Maria Silva', phone: null, email: 'maria@example.com' });
    assert.equal(patched.body.name, 'Bolinha', 'absent fields are kept');

    const removed = await t.http().delete(`/v1/animals/${id}`).set('Authorization', auth());
    assert.equal(removed.status, 204);
    const gone = await t.http().get(`/v1/animals/${id}`).set('Authorization', auth());
    assert.equal(gone.status, 404);
    assert.match(gone.headers['content-type'], PROBLEM);
    const again = await t.http().delete(`/v1/animals/${id}`).set('Authorization', auth());
    assert.equal(again.status, 404);
  });

  it('applies defaults for the optional fields', async () => {
    const res = await t
      .http()
      .post('/v1/animals')
      .set('Authorization', auth())
      .send({ name: 'Tico', species: 'bird', tutor: { name: 'Ana' } });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.sex, 'unknown');
    assert.equal(res.body.neutered, null);
    assert.equal(res.body.microchipId, null);
    assert.deepEqual(res.body.tutor, { name: 'Ana', phone: null, email: null });
  });

  it('answers 409 for a duplicate microchip within the tenant, on create and on PATCH', async () => {
    const chip = '941000011112222';
    const first = await t
      .http()
      .post('/v1/animals')
      .set('Authorization', auth())
      .send({ ...bolinha, microchipId: chip });
    assert.equal(first.status, 201);
    const duplicate = await t
      .http()
      .post('/v1/animals')
      .set('Authorization', auth())
      .send({ ...bolinha, name: 'Other', microchipId: `941-000-011-112-222` });
    assert.equal(duplicate.status, 409);
    assert.match(duplicate.headers['content-type'], PROBLEM);
    assert.equal(duplicate.body.type, 'https://docs.revela.dev/problems/conflict');
    assert.equal(duplicate.body.errors[0].field, 'microchipId');

    const second = await t
      .http()
      .post('/v1/animals')
      .set('Authorization', auth())
      .send({ ...bolinha, name: 'Second', microchipId: null });
    assert.equal(second.status, 201);
    const patched = await t.http().patch(`/v1/animals/${second.body.id}`).set('Authorization', auth()).send({ microchipId: chip });
    assert.equal(patched.status, 409);
    const unchanged = await t.http().get(`/v1/animals/${second.body.id}`).set('Authorization', auth());
    assert.equal(unchanged.body.microchipId, null);

    const sameOwnChip = await t.http().patch(`/v1/animals/${first.body.id}`).set('Authorization', auth()).send({ microchipId: chip });
    assert.equal(sameOwnChip.status, 200, 'an animal keeps its own chip');

    const otherClinic = await t.createTenant('clinic');
    const elsewhere = await t
      .http()
      .post('/v1/animals')
      .set('Authorization', `Bearer ${otherClinic.key}`)
      .send({ ...bolinha, microchipId: chip });
    assert.equal(elsewhere.status, 201, 'chips are unique per clinic only');
  });

  it('lists with cursor pagination, a species filter and a case-insensitive search', async () => {
    const tenant = await t.createTenant('clinic');
    const key = `Bearer ${tenant.key}`;
    const animals = [
      { name: 'Mimi', species: 'cat', microchipId: '250269604123456', tutor: { name: 'Joana Costa' } },
      { name: 'Thor', species: 'dog', tutor: { name: 'Pedro Alves' } },
      { name: 'Luna', species: 'cat', tutor: { name: 'Sofia COSTA' } },
      { name: 'Pipoca', species: 'rabbit', tutor: { name: 'Mimi Santos' } },
      { name: '50%_off', species: 'other', tutor: { name: 'Literal' } },
    ];
    for (const animal of animals) {
      const res = await t.http().post('/v1/animals').set('Authorization', key).send(animal);
      assert.equal(res.status, 201, res.text);
    }
    const collect = async (query: Record<string, string | number>) => {
      const names: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: { status: number; body: { items: Array<{ name: string }>; nextCursor: string | null } } = await t
          .http()
          .get('/v1/animals')
          .query(cursor ? { ...query, limit: 2, cursor } : { ...query, limit: 2 })
          .set('Authorization', key);
        assert.equal(res.status, 200);
        assert.ok(res.body.items.length <= 2);
        names.push(...res.body.items.map((a) => a.name));
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor);
      return { names, pages };
    };
    const all = await collect({});
    assert.deepEqual(
      all.names,
      animals.map((a) => a.name),
    );
    assert.equal(all.pages, 3);
    assert.deepEqual((await collect({ species: 'cat' })).names, ['Mimi', 'Luna']);
    assert.deepEqual((await collect({ q: 'costa' })).names, ['Mimi', 'Luna'], 'tutor name, any case');
    assert.deepEqual((await collect({ q: 'mimi' })).names, ['Mimi', 'Pipoca'], 'animal name and tutor name');
    assert.deepEqual((await collect({ q: '604 123' })).names, ['Mimi'], 'microchip, separators ignored');
    assert.deepEqual((await collect({ q: '%_' })).names, ['50%_off'], 'wildcards are literal');
    assert.deepEqual((await collect({ q: 'luna', species: 'dog' })).names, []);

    const bad = await t.http().get('/v1/animals').query({ species: 'dragon' }).set('Authorization', key);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].field, 'species');
  });

  it('pages 100 rows that share one created_at: limit 100 at most, every row exactly once, no empty page after a full last one', async () => {
    const tenant = await t.createTenant('clinic');
    const key = `Bearer ${tenant.key}`;
    // Rows written in the same millisecond (a bulk import): only the id tells them apart.
    const db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    let expected: string[];
    try {
      await db.query(
        `INSERT INTO animals (id, tenant_id, name, species, tutor_name, created_at, updated_at)
         SELECT gen_random_uuid(), $1, 'Twin ' || g, 'dog', 'Same Day', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'
         FROM generate_series(1, 100) g`,
        [tenant.id],
      );
      expected = (await db.query(`SELECT id FROM animals WHERE tenant_id = $1 ORDER BY id`, [tenant.id])).rows.map((r) => r.id);
    } finally {
      await db.end();
    }
    assert.equal(expected.length, 100);
    type Page = { status: number; body: { items: Array<{ id: string }>; nextCursor: string | null; errors?: Array<{ field: string }> } };
    const page = (query: Record<string, string | number>): Promise<Page> =>
      t.http().get('/v1/animals').query(query).set('Authorization', key);
    const collect = async (limit: number) => {
      const pages: string[][] = [];
      let cursor: string | null = null;
      do {
        const res: Page = await page(cursor ? { limit, cursor } : { limit });
        assert.equal(res.status, 200);
        pages.push(res.body.items.map((a) => a.id));
        cursor = res.body.nextCursor;
      } while (cursor && pages.length < 200);
      return pages;
    };

    // limit at its maximum: the whole set on one page that is exactly full, and no cursor to an empty page.
    const full = await page({ limit: 100 });
    assert.equal(full.status, 200);
    assert.deepEqual(
      full.body.items.map((a) => a.id),
      expected,
      'ties on created_at are ordered by id',
    );
    assert.equal(full.body.nextCursor, null, 'a last page exactly full has no next cursor');
    // One above the maximum is refused, naming the field.
    const tooMany = await page({ limit: 101 });
    assert.equal(tooMany.status, 400);
    assert.deepEqual(
      tooMany.body.errors?.map((e) => e.field),
      ['limit'],
    );

    // Page boundaries inside the tie: every row once, in order, and the tenth page of ten is the last.
    const tens = await collect(10);
    assert.deepEqual(
      tens.map((p) => p.length),
      Array(10).fill(10),
    );
    assert.deepEqual(tens.flat(), expected);
    const sevens = await collect(7);
    assert.deepEqual(
      sevens.map((p) => p.length),
      [...Array(14).fill(7), 2],
    );
    assert.deepEqual(sevens.flat(), expected);

    // One more row, created later: limit 100 now leaves exactly it for a second page.
    const late = await t
      .http()
      .post('/v1/animals')
      .set('Authorization', key)
      .send({ name: 'Late', species: 'cat', tutor: { name: 'Next Day' } });
    assert.equal(late.status, 201, late.text);
    const first = await page({ limit: 100 });
    assert.deepEqual(
      first.body.items.map((a) => a.id),
      expected,
    );
    assert.ok(first.body.nextCursor);
    const second = await page({ limit: 100, cursor: first.body.nextCursor });
    assert.deepEqual(
      second.body.items.map((a) => a.id),
      [late.body.id],
    );
    assert.equal(second.body.nextCursor, null);
  });

  it('keeps tenants apart: another clinic gets 404 for the same id', async () => {
    const created = await t
      .http()
      .post('/v1/animals')
      .set('Authorization', auth())
      .send({ name: 'Private', species: 'cat', tutor: { name: 'Owner' } });
    const id = created.body.id as string;
    const other = await t.createTenant('clinic');
    const otherAuth = `Bearer ${other.key}`;
    const missing = '9b2f3c1e-8d4a-4b6e-9f10-2a3b4c5d6e7f';
    for (const [method, path] of [
      ['get', `/v1/animals/${id}`],
      ['patch', `/v1/animals/${id}`],
      ['delete', `/v1/animals/${id}`],
      ['get', `/v1/animals/${id}/photos`],
    ] as const) {
      const foreign = await t
        .http()
        [method](path)
        .set('Authorization', otherAuth)
        .send(method === 'patch' ? { name: 'Stolen' } : undefined);
      const absent = await t
        .http()
        [method](path.replace(id, missing))
        .set('Authorization', otherAuth)
        .send(method === 'patch' ? { name: 'Stolen' } : undefined);
      assert.equal(foreign.status, 404, `${method} ${path}`);
      assert.equal(absent.status, 404);
      assert.deepEqual({ ...foreign.body, instance: undefined }, { ...absent.body, instance: undefined });
    }
    const listed = await t.http().get('/v1/animals').set('Authorization', otherAuth);
    assert.equal(listed.body.items.length, 0);
    const stillThere = await t.http().get(`/v1/animals/${id}`).set('Authorization', auth());
    assert.equal(stillThere.body.name, 'Private');
  });

  it('rejects a malformed id with 400 and documents the routes', async () => {
    const res = await t.http().get('/v1/animals/not-a-uuid').set('Authorization', auth());
    assert.equal(res.status, 400);
    assert.equal(res.body.errors[0].field, 'id');
    const doc = await t.http().get('/docs-json');
    assert.ok(doc.body.paths['/v1/animals'].post);
    assert.ok(doc.body.paths['/v1/animals/{id}'].patch);
    assert.ok(doc.body.paths['/v1/animals/{animalId}/photos'].post.requestBody.content['multipart/form-data']);
    assert.equal(
      Object.keys(doc.body.paths).some((p) => p.startsWith('/internal')),
      false,
      'internal routes stay out of the document',
    );
  });
});
