export { AnimalEntity, SPECIES, ANIMAL_SEXES, type Species, type AnimalSex } from './animal.entity.js';
export { PhotoEntity, PHOTO_STATUSES, type PhotoStatus, type PhotoUploadMethod, type StoredRendition } from './photo.entity.js';
