import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertKeyWithin, KeyOutsideScopeError, keys } from './keys.js';

const A = '0d6c3a52-6a8e-4d55-9a0e-0a4f2a3b9c11';
const B = '5f0c7d7e-2f8a-4a8e-9c1b-3e2f4d5a6b7c';
const JOB = '8a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const OTHER_JOB = 'aaaaaaaa-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

describe('assertKeyWithin: the check every presigned URL passes', () => {
  it("accepts the caller's own keys", () => {
    assertKeyWithin(keys.jobArchive(A, JOB), keys.jobFolder(A, JOB));
    assertKeyWithin(keys.jobOutput(A, JOB, OTHER_JOB, 'web', 'jpg'), keys.jobFolder(A, JOB));
    assertKeyWithin(keys.photoOriginal(A, JOB, OTHER_JOB), keys.photoFolder(A, JOB, OTHER_JOB));
  });

  it("refuses another tenant's key, another job's key, and paths that climb out", () => {
    const scope = keys.jobFolder(A, JOB);
    for (const key of [
      keys.jobArchive(B, JOB),
      keys.jobArchive(A, OTHER_JOB),
      `${scope}../${OTHER_JOB}/archive.zip`,
      `${scope}out/./x.jpg`,
      `${scope}out//x.jpg`,
      scope,
      `tenants/${A}/jobs/${JOB}`,
      '',
    ]) {
      assert.throws(() => assertKeyWithin(key, scope), KeyOutsideScopeError, key);
    }
  });

  it('refuses a scope that is not a tenant folder', () => {
    for (const scope of ['', 'tenants/', `tenants/${A}`, 'jobs/', `other/${A}/`]) {
      assert.throws(() => assertKeyWithin(keys.jobArchive(A, JOB), scope), KeyOutsideScopeError, scope);
    }
  });
});
