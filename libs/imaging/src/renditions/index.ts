export { CLINIC_RENDITIONS, DEFAULT_MAX_PIXELS, type RenditionSpec } from './specs.js';
export { ImageRejectedError, type RejectionCode } from './errors.js';
export type { OriginalMetadata } from './inspect.js';
export type { RenderedRendition } from './encode.js';
export { renderClinicPhoto, type RenderClinicPhotoOptions, type RenderClinicPhotoResult } from './render-clinic-photo.js';
export { sniffImageFormat, type AcceptedFormat } from './sniff.js';
