/**
 * Module tier: the animals controller's HTTP contract (DTO rules, auth, tenant kind, pagination,
 * id params) with AnimalsService faked. The service's own rules (microchip uniqueness, tenant
 * scoping) need PostgreSQL and stay in test/clinic/animals.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { encodeCursor } from '#database';
import type { AnimalDto } from '../../apps/api/src/animals/dto/animal.dto.js';
import { AnimalsController } from '../../apps/api/src/animals/animals.controller.js';
import { AnimalsService } from '../../apps/api/src/animals/animals.service.js';
import { assertProblem, type Fake, type ModuleTier, startModuleTier } from '../support/module-tier.js';

const ID = '9b2f3c1e-8d4a-4b6e-9f10-2a3b4c5d6e7f';

const bolinha = {
  name: 'Bolinha',
  species: 'dog',
  breed: 'Beagle',
  sex: 'female',
  neutered: true,
  birthDate: '2019-04-12',
  microchipId: '900123456789012',
  weightKg: 12.4,
  tutor: { name: 'Maria Silva', phone: '+351 912 345 678', email: 'maria@example.com' },
  notes: 'Allergic to penicillin.',
};

const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

function animalDto(id = ID): AnimalDto {
  const at = '2026-01-01T00:00:00.000Z';
  return { ...bolinha, id, species: 'dog', sex: 'female', tutor: { ...bolinha.tutor }, createdAt: at, updatedAt: at };
}

describe('module tier: animals', () => {
  let tier: ModuleTier;
  let animals: Fake<AnimalsService>;
  let clinic: string;

  before(async () => {
    tier = await startModuleTier({ controllers: [AnimalsController] });
    animals = tier.fake(AnimalsService);
    animals
      .on('create', async () => animalDto())
      .on('update', async (_ctx, id) => animalDto(id))
      .on('get', async (_ctx, id) => animalDto(id))
      .on('delete', async () => undefined)
      .on('list', async () => ({ items: [], nextCursor: null }));
    clinic = tier.keys.issue('clinic').authorization;
  });
  after(async () => {
    await tier.close();
  });
  beforeEach(() => tier.resetCalls());

  const create = (body: unknown, authorization = clinic) => tier.request({ method: 'POST', url: '/v1/animals', authorization, body });
  const patch = (body: unknown, id = ID) => tier.request({ method: 'PATCH', url: `/v1/animals/${id}`, authorization: clinic, body });

  /** Each body answers 400 naming exactly `fields`, and never reaches the service. */
  async function rejects(send: (body: unknown) => ReturnType<typeof create>, cases: Array<[unknown, string[]]>) {
    for (const [body, fields] of cases) {
      const res = await send(body);
      assertProblem(res, 400, { slug: 'validation-error', fields });
      assert.deepEqual(tier.calls(), [], JSON.stringify(body));
    }
  }

  describe('POST /v1/animals', () => {
    it('hands a valid animal to the service, microchip normalised', async () => {
      const res = await create({ ...bolinha, microchipId: '900 123-4567 89012', name: '  Bolinha ' });
      assert.equal(res.status, 201, res.text);
      const [[ctx, input]] = animals.callsTo('create');
      assert.equal(ctx.kind, 'clinic');
      assert.equal(input.microchipId, '900123456789012');
      assert.equal(input.name, 'Bolinha', 'trimmed');
      assert.deepEqual({ ...input.tutor }, bolinha.tutor);
    });

    it('accepts the minimum and the edges: born today, 9 and 15 character chips, 2000 kg, 3 decimals', async () => {
      for (const body of [
        { name: 'Tico', species: 'bird', tutor: { name: 'Ana' } },
        { ...bolinha, birthDate: isoDay(0) },
        { ...bolinha, birthDate: '1900-01-01' },
        { ...bolinha, microchipId: 'ab1234567' },
        { ...bolinha, weightKg: 2000 },
        { ...bolinha, weightKg: 0.001 },
        { ...bolinha, notes: 'Line one\nline two\ttabbed' },
        {
          ...bolinha,
          breed: null,
          neutered: null,
          birthDate: null,
          microchipId: null,
          weightKg: null,
          notes: null,
          tutor: { name: 'Ana', phone: null, email: null },
        },
      ]) {
        const res = await create(body);
        assert.equal(res.status, 201, `${JSON.stringify(body)}: ${res.text}`);
      }
      assert.equal(animals.callsTo('create').length, 8);
    });

    it('names every invalid field at once', async () => {
      const res = await create({
        name: '',
        species: 'dragon',
        sex: 'both',
        birthDate: isoDay(2),
        microchipId: 'abc',
        weightKg: 0,
        tutor: { email: 'not-an-email' },
        colour: 'brown',
      });
      assertProblem(res, 400, {
        slug: 'validation-error',
        fields: ['birthDate', 'colour', 'microchipId', 'name', 'sex', 'species', 'tutor.email', 'tutor.name', 'weightKg'],
      });
      assert.match(res.body.detail, /species: /);
      assert.deepEqual(tier.calls(), []);
    });

    it('checks the microchip: 9 to 15 digits or letters once spaces and dashes are gone', async () => {
      await rejects(create, [
        [{ ...bolinha, microchipId: '12345678' }, ['microchipId']],
        [{ ...bolinha, microchipId: '1234567890123456' }, ['microchipId']],
        [{ ...bolinha, microchipId: '900_123456789' }, ['microchipId']],
        [{ ...bolinha, microchipId: 900123456789012 }, ['microchipId']],
        [{ ...bolinha, microchipId: ' - ' }, ['microchipId']],
      ]);
    });

    it('checks species and sex against their lists', async () => {
      await rejects(create, [
        [{ ...bolinha, species: 'Dog' }, ['species']],
        [{ ...bolinha, species: undefined }, ['species']],
        [{ ...bolinha, species: null }, ['species']],
        [{ ...bolinha, sex: null }, ['sex']],
        [{ ...bolinha, sex: 'f' }, ['sex']],
      ]);
    });

    it('wants a real calendar birth date, not in the future and not before 1900', async () => {
      await rejects(create, [
        [{ ...bolinha, birthDate: isoDay(2) }, ['birthDate']],
        [{ ...bolinha, birthDate: '2021-02-30' }, ['birthDate']],
        [{ ...bolinha, birthDate: '1899-12-31' }, ['birthDate']],
        [{ ...bolinha, birthDate: '2019-04-12T00:00:00Z' }, ['birthDate']],
        [{ ...bolinha, birthDate: '12/04/2019' }, ['birthDate']],
      ]);
    });

    it('wants a weight greater than 0, at most 2000 kg with 3 decimals, as a number', async () => {
      await rejects(create, [
        [{ ...bolinha, weightKg: 0 }, ['weightKg']],
        [{ ...bolinha, weightKg: -2 }, ['weightKg']],
        [{ ...bolinha, weightKg: 2000.5 }, ['weightKg']],
        [{ ...bolinha, weightKg: 1.2345 }, ['weightKg']],
        [{ ...bolinha, weightKg: '12.4' }, ['weightKg']],
      ]);
    });

    it('refuses control characters, overlong text and unknown fields, nested ones included', async () => {
      await rejects(create, [
        [{ ...bolinha, name: 'Bo\u0007linha' }, ['name']],
        [{ ...bolinha, name: 'x'.repeat(121) }, ['name']],
        [{ ...bolinha, breed: 'Bea\ngle' }, ['breed']],
        [{ ...bolinha, notes: 'nul\u0000byte' }, ['notes']],
        [{ ...bolinha, notes: 'x'.repeat(4001) }, ['notes']],
        [{ ...bolinha, tutor: { ...bolinha.tutor, name: 'Maria\u001b[31m' } }, ['tutor.name']],
        [{ ...bolinha, tutor: { ...bolinha.tutor, phone: 'call me' } }, ['tutor.phone']],
        [{ ...bolinha, id: ID }, ['id']],
        [{ ...bolinha, tutor: { ...bolinha.tutor, age: 40 } }, ['tutor.age']],
      ]);
    });

    it('answers a missing or malformed tutor with 400 naming the field, not a crash', async () => {
      const { tutor: _omitted, ...noTutor } = bolinha;
      await rejects(create, [
        [noTutor, ['tutor']],
        [{ ...bolinha, tutor: null }, ['tutor']],
        [{ ...bolinha, tutor: 'Maria Silva' }, ['tutor']],
        [{ ...bolinha, tutor: {} }, ['tutor.name']],
      ]);
    });

    it('answers malformed JSON with 400 problem+json', async () => {
      const res = await tier.request({
        method: 'POST',
        url: '/v1/animals',
        authorization: clinic,
        body: '{"name": ',
        headers: { 'content-type': 'application/json' },
      });
      assertProblem(res, 400);
      assert.deepEqual(tier.calls(), []);
    });
  });

  describe('PATCH /v1/animals/:id', () => {
    it('passes null through as null (clear) and leaves absent fields out', async () => {
      const res = await patch({ weightKg: 13.05, breed: null, microchipId: null, tutor: { phone: null } }, ID.toUpperCase());
      assert.equal(res.status, 200, res.text);
      const [[, id, body]] = animals.callsTo('update');
      assert.equal(id, ID, 'the id reaches the service lowercased');
      assert.equal(body.weightKg, 13.05);
      assert.equal(body.breed, null);
      assert.equal(body.microchipId, null);
      assert.equal(body.tutor?.phone, null);
      for (const absent of ['name', 'species', 'sex', 'neutered', 'birthDate', 'notes'] as const)
        assert.equal(body[absent], undefined, absent);
      assert.equal(body.tutor?.name, undefined);
      assert.equal(body.tutor?.email, undefined);
    });

    it('accepts an empty patch and normalises a chip as on create', async () => {
      assert.equal((await patch({})).status, 200);
      assert.equal((await patch({ microchipId: '941-000-011-112-222' })).status, 200);
      assert.equal(animals.callsTo('update')[1][2].microchipId, '941000011112222');
    });

    it('refuses null for the fields that are never empty', async () => {
      await rejects(patch, [
        [{ name: null, species: null, tutor: { name: null } }, ['name', 'species', 'tutor.name']],
        [{ sex: null }, ['sex']],
        [{ tutor: null }, ['tutor']],
      ]);
    });

    it('applies the create rules to what is present', async () => {
      await rejects(patch, [
        [{ birthDate: isoDay(2) }, ['birthDate']],
        [{ weightKg: 0 }, ['weightKg']],
        [{ microchipId: 'abc' }, ['microchipId']],
        [{ species: 'dragon' }, ['species']],
        [{ tutor: { email: 'nope' } }, ['tutor.email']],
        [{ colour: 'brown' }, ['colour']],
        [{ name: '' }, ['name']],
      ]);
    });
  });

  describe('GET /v1/animals (list)', () => {
    it('hands limit, cursor and filters to the service', async () => {
      const cursor = encodeCursor({ createdAt: new Date('2026-01-01T00:00:00Z'), id: ID });
      const res = await tier.request({
        method: 'GET',
        url: '/v1/animals',
        authorization: clinic,
        query: { limit: 2, cursor, species: 'cat', q: '  costa ' },
      });
      assert.equal(res.status, 200, res.text);
      const [[, query, page]] = animals.callsTo('list');
      assert.equal(query.species, 'cat');
      assert.equal(query.q, 'costa');
      assert.deepEqual(page, { limit: 2, after: { createdAt: new Date('2026-01-01T00:00:00Z'), id: ID } });
      await tier.request({ method: 'GET', url: '/v1/animals', authorization: clinic });
      assert.deepEqual(animals.callsTo('list')[1][2], { limit: 20 }, 'the default page size');
      for (const limit of [1, 100])
        assert.equal((await tier.request({ method: 'GET', url: '/v1/animals', authorization: clinic, query: { limit } })).status, 200);
    });

    it('answers 400 naming limit, cursor, species or q', async () => {
      const cases: Array<[Record<string, string | number>, string]> = [
        [{ limit: 0 }, 'limit'],
        [{ limit: 101 }, 'limit'],
        [{ limit: 'ten' }, 'limit'],
        [{ limit: 1.5 }, 'limit'],
        [{ cursor: 'garbage' }, 'cursor'],
        [{ cursor: Buffer.from(JSON.stringify(['yesterday', ID])).toString('base64url') }, 'cursor'],
        [{ cursor: 'x'.repeat(201) }, 'cursor'],
        [{ species: 'dragon' }, 'species'],
        [{ q: 'x'.repeat(101) }, 'q'],
        [{ sort: 'name' }, 'sort'],
      ];
      for (const [query, field] of cases) {
        const res = await tier.request({ method: 'GET', url: '/v1/animals', authorization: clinic, query });
        assertProblem(res, 400, { fields: [field] });
      }
      assert.deepEqual(tier.calls(), []);
    });
  });

  describe('ids, authentication and tenant kind', () => {
    it('answers a malformed id with 400 naming the parameter, on every route', async () => {
      for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
        for (const id of ['not-a-uuid', '9b2f3c1e8d4a4b6e9f102a3b4c5d6e7f', `${ID}x`]) {
          const res = await tier.request({
            method,
            url: `/v1/animals/${id}`,
            authorization: clinic,
            body: method === 'PATCH' ? { name: 'Rex' } : undefined,
          });
          assertProblem(res, 400, { fields: ['id'] });
        }
      }
      assert.deepEqual(tier.calls(), []);
    });

    it('answers 401 problem+json without a valid key', async () => {
      const issued = tier.keys.issue('clinic');
      const cases: Array<[string, string | undefined]> = [
        ['missing', undefined],
        ['basic scheme', `Basic ${Buffer.from('a:b').toString('base64')}`],
        ['malformed', 'Bearer not-a-key'],
        ['unknown', `Bearer rvl_0000000000000000_${'A'.repeat(43)}`],
        ['right prefix, wrong secret', `Bearer ${issued.key.slice(0, -2)}${issued.key.endsWith('AA') ? 'BB' : 'AA'}`],
        ['revoked', tier.keys.issue('clinic', { revoked: true }).authorization],
        ['the admin token', `Bearer ${tier.adminToken}`],
      ];
      for (const [label, authorization] of cases) {
        const res = await tier.request({ method: 'POST', url: '/v1/animals', authorization, body: bolinha });
        assert.equal(res.status, 401, label);
        assertProblem(res, 401, { slug: 'unauthorized' });
        assert.match(String(res.headers['www-authenticate']), /^Bearer/);
      }
      assert.deepEqual(tier.calls(), []);
    });

    it('answers 403 problem+json to a studio tenant on every route, before looking at the body', async () => {
      const studio = tier.keys.issue('studio').authorization;
      for (const [method, url] of [
        ['GET', '/v1/animals'],
        ['POST', '/v1/animals'],
        ['GET', `/v1/animals/${ID}`],
        ['PATCH', `/v1/animals/${ID}`],
        ['DELETE', `/v1/animals/${ID}`],
      ] as const) {
        const res = await tier.request({
          method,
          url,
          authorization: studio,
          body: method === 'GET' || method === 'DELETE' ? undefined : { name: '' },
        });
        assertProblem(res, 403, { slug: 'forbidden' });
        assert.match(res.body.detail, /clinic/);
      }
      assert.deepEqual(tier.calls(), []);
    });
  });
});
