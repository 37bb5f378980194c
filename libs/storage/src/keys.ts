/** The one place that knows how S3 keys are laid out. Every key starts with the tenant's prefix. */
export function tenantPrefix(tenantId: string): string {
  return `tenants/${tenantId}/`;
}

export const keys = {
  photoOriginal: (tenantId: string, animalId: string, photoId: string) =>
    `${tenantPrefix(tenantId)}animals/${animalId}/photos/${photoId}/original`,
  photoRendition: (tenantId: string, animalId: string, photoId: string, rendition: string, extension: string) =>
    `${tenantPrefix(tenantId)}animals/${animalId}/photos/${photoId}/${rendition}.${extension}`,
  photoFolder: (tenantId: string, animalId: string, photoId: string) => `${tenantPrefix(tenantId)}animals/${animalId}/photos/${photoId}/`,
  animalFolder: (tenantId: string, animalId: string) => `${tenantPrefix(tenantId)}animals/${animalId}/`,
  jobRaw: (tenantId: string, jobId: string, fileId: string) => `${tenantPrefix(tenantId)}jobs/${jobId}/raw/${fileId}`,
  jobOutput: (tenantId: string, jobId: string, fileId: string, variant: string, extension: string) =>
    `${tenantPrefix(tenantId)}jobs/${jobId}/out/${fileId}/${variant}.${extension}`,
  /** Everything a job stored (RAW files, outputs, ZIP), in either bucket. */
  jobFolder: (tenantId: string, jobId: string) => `${tenantPrefix(tenantId)}jobs/${jobId}/`,
  jobArchive: (tenantId: string, jobId: string) => `${tenantPrefix(tenantId)}jobs/${jobId}/archive.zip`,
};

export class KeyOutsideScopeError extends Error {
  override readonly name = 'KeyOutsideScopeError';
  constructor(
    readonly key: string,
    readonly scope: string,
  ) {
    super(`refusing to presign an object outside ${scope}`);
  }
}

/**
 * The one check every presigned URL passes: the key lies under the caller's own prefix (a tenant's
 * `tenants/{id}/`, or a narrower folder of it such as one job), with no `.`/`..`/empty segment to
 * climb out of it. A key read from a row is data, not proof: a corrupted or forged row must not
 * turn into a link to another tenant's object.
 */
export function assertKeyWithin(key: string, scope: string): void {
  const scoped = /^tenants\/[0-9a-f-]{36}\/(?:[^/]+\/)*$/.test(scope);
  const segments = key.split('/');
  if (!scoped || !key.startsWith(scope) || key.length === scope.length || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new KeyOutsideScopeError(key, scope);
  }
}

const PHOTO_ORIGINAL = /^tenants\/([0-9a-f-]{36})\/animals\/([0-9a-f-]{36})\/photos\/([0-9a-f-]{36})\/original$/;

/** Reverses `keys.photoOriginal`; undefined for any other key. */
export function parsePhotoOriginalKey(key: string): { tenantId: string; animalId: string; photoId: string } | undefined {
  const match = PHOTO_ORIGINAL.exec(key);
  return match ? { tenantId: match[1], animalId: match[2], photoId: match[3] } : undefined;
}

/** Job outputs and ZIPs carry this tag; the processed bucket's lifecycle rule expires tagged objects (clinic renditions have none). */
export const JOB_OUTPUT_TAGGING = 'revela:retention=job-output';
