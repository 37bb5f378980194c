export { createS3Client, type S3ClientSettings } from './s3-client.js';
export { assertKeyWithin, JOB_OUTPUT_TAGGING, KeyOutsideScopeError, keys, tenantPrefix, parsePhotoOriginalKey } from './keys.js';
export {
  presignGet,
  presignPut,
  presignPartPut,
  attachmentDisposition,
  safeFilename,
  titleAsFilename,
  MAX_PRESIGN_SECONDS,
  type PresignedRequest,
} from './presign.js';
export { startEmbeddedS3, type EmbeddedS3Handle } from './embedded-s3.js';
export {
  abortMultipartUpload,
  abortMultipartUploadsUnder,
  completeMultipartUpload,
  deletePrefix,
  objectSize,
  startMultipartUpload,
} from './objects.js';
export { PHOTO_MAX_BYTES, PHOTO_CONTENT_TYPES, isAcceptedPhotoType, normaliseContentType, type PhotoContentType } from './photo-uploads.js';
export { S3_CLIENT, StorageModule } from './storage.module.js';
export { streamToObject, StreamTooLargeError, type StreamTarget } from './stream-upload.js';
