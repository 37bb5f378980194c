/**
 * Module tier: the studio job routes over HTTP. JobsService is real, because a preset rule across
 * fields (unique variant names) lives there; its repository, storage and the launcher are fakes,
 * as are JobFilesService and DownloadsService. Uploads, submit checks against S3, workers and the
 * ZIP stay in test/studio/jobs-flow.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DEFAULT_PRESET } from '#imaging';
import { MAX_FILE_BYTES } from '../../apps/api/src/jobs/dto/file.dto.js';
import { DownloadsController } from '../../apps/api/src/jobs/downloads.controller.js';
import { JobFilesController } from '../../apps/api/src/jobs/job-files.controller.js';
import { JobFilesService } from '../../apps/api/src/jobs/job-files.service.js';
import { JobsController } from '../../apps/api/src/jobs/jobs.controller.js';
import { type JobRow, JobsRepository } from '../../apps/api/src/jobs/jobs.repository.js';
import { JobsService } from '../../apps/api/src/jobs/jobs.service.js';
import { assertProblem, type Fake, type ModuleTier, startModuleTier } from '../support/module-tier.js';

const JOB = '9b2f3c1e-8d4a-4b6e-9f10-2a3b4c5d6e7f';
const FILE = '1c9e8a70-5b3d-4f2a-8e61-0d7c2b4a9f35';

function jobRow(values: Partial<JobRow>): JobRow {
  return {
    id: JOB,
    name: 'Job',
    status: 'draft',
    preset: DEFAULT_PRESET,
    createdAt: new Date('2026-01-01T00:00:00.000Z'),
    queuedAt: null,
    startedAt: null,
    finishedAt: null,
    archiveKey: null,
    archiveBytes: null,
    expiresAt: null,
    purgedAt: null,
    counts: { declared: 0, queued: 0, processing: 0, done: 0, failed: 0, canceled: 0 },
    workerMs: 0,
    ...values,
  };
}

describe('module tier: studio jobs', () => {
  let tier: ModuleTier;
  let repository: Fake<JobsRepository>;
  let files: Fake<JobFilesService>;
  let studio: string;

  before(async () => {
    tier = await startModuleTier({ controllers: [JobsController, JobFilesController, DownloadsController], providers: [JobsService] });
    repository = tier.fake(JobsRepository);
    repository.on('create', async (_ctx, name, preset) => jobRow({ name, preset })).on('list', async () => []);
    files = tier.fake(JobFilesService);
    files
      .on('declare', async () => ({}) as never)
      .on('completeMultipart', async () => ({}) as never)
      .on('list', async () => ({ items: [], nextCursor: null }));
    studio = tier.keys.issue('studio').authorization;
  });
  after(async () => {
    await tier.close();
  });
  beforeEach(() => tier.resetCalls());

  const createJob = (body: unknown) => tier.request({ method: 'POST', url: '/v1/jobs', authorization: studio, body });
  const declareFile = (body: unknown) => tier.request({ method: 'POST', url: `/v1/jobs/${JOB}/files`, authorization: studio, body });

  describe('POST /v1/jobs', () => {
    it('fills what the preset leaves out from the defaults', async () => {
      const res = await createJob({
        name: 'Wedding / Silva "2026"',
        preset: { variants: [{ name: 'web', longEdge: 800, format: 'jpeg', quality: 82 }], colour: { exposure: 0.5 } },
      });
      assert.equal(res.status, 201, res.text);
      const [[, name, preset]] = repository.callsTo('create');
      assert.equal(name, 'Wedding / Silva "2026"');
      assert.deepEqual(preset.variants, [{ name: 'web', longEdge: 800, format: 'jpeg', quality: 82 }]);
      assert.deepEqual(preset.colour, { ...DEFAULT_PRESET.colour, exposure: 0.5 });
      assert.equal(preset.source, DEFAULT_PRESET.source);
      assert.equal((await createJob({ name: 'Defaults' })).status, 201);
      assert.deepEqual(repository.callsTo('create')[1][2], DEFAULT_PRESET);
    });

    it('accepts the edges: long edge 16 and 16384 or "original", quality 1 and 100, 8 variants', async () => {
      const variant = (i: number, longEdge: number | 'original', quality: number) => ({ name: `v${i}`, longEdge, format: 'webp', quality });
      const variants = [
        variant(0, 16, 1),
        variant(1, 16_384, 100),
        variant(2, 'original', 50),
        ...[3, 4, 5, 6, 7].map((i) => variant(i, 400, 80)),
      ];
      const res = await createJob({
        name: 'Edges',
        preset: { variants, colour: { exposure: -3, contrast: 1, saturation: -1 }, metadata: { copyright: null } },
      });
      assert.equal(res.status, 201, res.text);
    });

    it('names every bad preset field with its path', async () => {
      const res = await createJob({
        name: 'Bad',
        preset: {
          variants: [{ name: 'Web!', longEdge: 5, format: 'gif', quality: 101 }],
          colour: { exposure: 9, whiteBalance: 'daylight' },
          metadata: { keepExif: 'yes', copyright: 'x'.repeat(201) },
          sharpen: 1,
          source: 'camera',
        },
      });
      assertProblem(res, 400, {
        slug: 'validation-error',
        fields: [
          'preset.colour.exposure',
          'preset.colour.whiteBalance',
          'preset.metadata.copyright',
          'preset.metadata.keepExif',
          'preset.sharpen',
          'preset.source',
          'preset.variants.0.format',
          'preset.variants.0.longEdge',
          'preset.variants.0.name',
          'preset.variants.0.quality',
        ],
      });
      assert.deepEqual(tier.calls(), []);
    });

    it('checks variants one by one and as a list, unknown fields included', async () => {
      const ok = { name: 'web', longEdge: 800, format: 'jpeg', quality: 82 };
      for (const [preset, fields] of [
        [{ variants: [] }, ['preset.variants']],
        [{ variants: Array.from({ length: 9 }, (_, i) => ({ ...ok, name: `v${i}` })) }, ['preset.variants']],
        [{ variants: [ok, { ...ok, longEdge: 16_385 }] }, ['preset.variants.1.longEdge']],
        [{ variants: [{ ...ok, longEdge: 800.5 }] }, ['preset.variants.0.longEdge']],
        [{ variants: [{ ...ok, longEdge: 'full' }] }, ['preset.variants.0.longEdge']],
        [{ variants: [{ ...ok, quality: 0 }] }, ['preset.variants.0.quality']],
        [{ variants: [{ ...ok, name: 'x'.repeat(33) }] }, ['preset.variants.0.name']],
        [{ variants: [{ name: 'web' }] }, ['preset.variants.0.format', 'preset.variants.0.longEdge', 'preset.variants.0.quality']],
        [{ variants: [{ ...ok, dpi: 300 }] }, ['preset.variants.0.dpi']],
        [{ colour: { exposure: 1, tint: 4 } }, ['preset.colour.tint']],
        [{ lut: 'film' }, ['preset.lut']],
        ['web', ['preset']],
      ] as const) {
        assertProblem(await createJob({ name: 'Bad', preset }), 400, { fields: [...fields] });
      }
      assert.deepEqual(tier.calls(), []);
    });

    it('refuses two variants with the same name (a rule of the service), naming the second', async () => {
      const res = await createJob({
        name: 'Dup',
        preset: {
          variants: [
            { name: 'a', longEdge: 100, format: 'jpeg', quality: 80 },
            { name: 'a', longEdge: 'original', format: 'webp', quality: 80 },
          ],
        },
      });
      assertProblem(res, 400, { slug: 'validation-error', fields: ['preset.variants.1.name'] });
      assert.deepEqual(tier.calls(), [], 'nothing stored');
    });

    it('wants a name of 1-200 characters without control characters', async () => {
      for (const body of [{}, { name: '' }, { name: 'x'.repeat(201) }, { name: 'Bad\u0000' }, { name: 7 }]) {
        assertProblem(await createJob(body), 400, { fields: ['name'] });
      }
      assertProblem(await createJob({ name: 'Job', priority: 'high' }), 400, { fields: ['priority'] });
      assert.deepEqual(tier.calls(), []);
    });
  });

  describe('POST /v1/jobs/:id/files (declare)', () => {
    it('hands a valid declaration to the service, up to 4 GiB', async () => {
      for (const bytes of [1, MAX_FILE_BYTES]) {
        const res = await declareFile({ filename: '../../DSC_0042.NEF', bytes });
        assert.equal(res.status, 201, res.text);
      }
      const calls = files.callsTo('declare');
      assert.deepEqual(
        calls.map(([, jobId, input]) => [jobId, input.filename, input.bytes]),
        [
          [JOB, '../../DSC_0042.NEF', 1],
          [JOB, '../../DSC_0042.NEF', MAX_FILE_BYTES],
        ],
      );
    });

    it('validates filename and bytes, naming each field', async () => {
      for (const [body, fields] of [
        [{}, ['bytes', 'filename']],
        [{ filename: '', bytes: 10 }, ['filename']],
        [{ filename: 'x'.repeat(256), bytes: 10 }, ['filename']],
        [{ filename: 'DSC\n0042.NEF', bytes: 10 }, ['filename']],
        [{ filename: 'DSC_0042.NEF', bytes: 0 }, ['bytes']],
        [{ filename: 'DSC_0042.NEF', bytes: -1 }, ['bytes']],
        [{ filename: 'DSC_0042.NEF', bytes: 1.5 }, ['bytes']],
        [{ filename: 'DSC_0042.NEF', bytes: MAX_FILE_BYTES + 1 }, ['bytes']],
        [{ filename: 'DSC_0042.NEF', bytes: '10' }, ['bytes']],
        [{ filename: 'DSC_0042.NEF', bytes: 10, contentType: 'image/x-nikon-nef' }, ['contentType']],
      ] as const) {
        assertProblem(await declareFile(body), 400, { slug: 'validation-error', fields: [...fields] });
      }
      assert.deepEqual(tier.calls(), []);
    });
  });

  describe('multipart completion and streamed uploads', () => {
    const complete = (body: unknown) =>
      tier.request({ method: 'POST', url: `/v1/jobs/${JOB}/files/${FILE}/complete`, authorization: studio, body });

    it('validates the part list with paths', async () => {
      for (const [body, fields] of [
        [{}, ['parts']],
        [{ parts: [] }, ['parts']],
        [{ parts: [{ partNumber: 0, etag: '' }] }, ['parts.0.etag', 'parts.0.partNumber']],
        [
          {
            parts: [
              { partNumber: 1, etag: '"a"' },
              { partNumber: 10_001, etag: '"b"' },
            ],
          },
          ['parts.1.partNumber'],
        ],
      ] as const) {
        assertProblem(await complete(body), 400, { fields: [...fields] });
      }
      assert.deepEqual(tier.calls(), []);
      assert.equal((await complete({ parts: [{ partNumber: 1, etag: '"a"' }] })).status, 200);
    });

    it('answers 415 unless the body is sent as application/octet-stream', async () => {
      const url = `/v1/jobs/${JOB}/files/${FILE}/content`;
      assertProblem(await tier.request({ method: 'PUT', url, authorization: studio, body: { data: 'x' } }), 415, {
        slug: 'unsupported-media-type',
      });
      assertProblem(
        await tier.request({
          method: 'PUT',
          url,
          authorization: studio,
          headers: { 'content-type': 'image/x-nikon-nef' },
          body: Buffer.alloc(8),
        }),
        415,
      );
      assert.deepEqual(tier.calls(), []);
    });
  });

  describe('lists, ids and access', () => {
    it('pages jobs and files with limit 1-100, a valid cursor and a known status', async () => {
      assert.equal(
        (await tier.request({ method: 'GET', url: '/v1/jobs', authorization: studio, query: { limit: 100, status: 'canceled' } })).status,
        200,
      );
      assert.deepEqual(repository.callsTo('list')[0].slice(1), [101, undefined, 'canceled']);
      tier.resetCalls();
      for (const [url, query, field] of [
        ['/v1/jobs', { status: 'done' }, 'status'],
        ['/v1/jobs', { limit: 0 }, 'limit'],
        ['/v1/jobs', { limit: 101 }, 'limit'],
        ['/v1/jobs', { cursor: 'garbage' }, 'cursor'],
        [`/v1/jobs/${JOB}/files`, { limit: 1000 }, 'limit'],
        [`/v1/jobs/${JOB}/files`, { cursor: 'garbage' }, 'cursor'],
      ] as const) {
        assertProblem(await tier.request({ method: 'GET', url, authorization: studio, query }), 400, { fields: [field] });
      }
      assert.deepEqual(tier.calls(), []);
    });

    it('answers a malformed job or file id with 400 naming the parameter', async () => {
      for (const [method, url, field] of [
        ['GET', '/v1/jobs/not-a-uuid', 'id'],
        ['POST', '/v1/jobs/not-a-uuid/submit', 'id'],
        ['POST', '/v1/jobs/not-a-uuid/cancel', 'id'],
        ['GET', '/v1/jobs/not-a-uuid/download', 'id'],
        ['GET', '/v1/jobs/not-a-uuid/files', 'id'],
        ['POST', `/v1/jobs/${JOB}/files/not-a-uuid/complete`, 'fileId'],
        ['PUT', `/v1/jobs/${JOB}/files/not-a-uuid/content`, 'fileId'],
      ] as const) {
        const res = await tier.request({
          method,
          url,
          authorization: studio,
          body: method === 'POST' && url.endsWith('complete') ? { parts: [{ partNumber: 1, etag: 'x' }] } : undefined,
        });
        assertProblem(res, 400, { fields: [field] });
      }
      assert.deepEqual(tier.calls(), []);
    });

    it('answers 401 without a key and 403 to a clinic, on every route', async () => {
      const clinic = tier.keys.issue('clinic').authorization;
      for (const [method, url] of [
        ['POST', '/v1/jobs'],
        ['GET', '/v1/jobs'],
        ['GET', `/v1/jobs/${JOB}`],
        ['POST', `/v1/jobs/${JOB}/submit`],
        ['POST', `/v1/jobs/${JOB}/cancel`],
        ['GET', `/v1/jobs/${JOB}/download`],
        ['POST', `/v1/jobs/${JOB}/files`],
        ['GET', `/v1/jobs/${JOB}/files`],
        ['POST', `/v1/jobs/${JOB}/files/${FILE}/complete`],
      ] as const) {
        assertProblem(await tier.request({ method, url }), 401, { slug: 'unauthorized' });
        const forbidden = await tier.request({ method, url, authorization: clinic, body: method === 'POST' ? {} : undefined });
        assertProblem(forbidden, 403, { slug: 'forbidden' });
        assert.match(forbidden.body.detail, /studio/);
      }
      assert.deepEqual(tier.calls(), []);
    });
  });
});
