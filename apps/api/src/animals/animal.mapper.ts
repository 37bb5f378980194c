import type { AnimalEntity } from '#database';
import type { AnimalDto, CreateAnimalDto, UpdateAnimalDto } from './dto/animal.dto.js';
import type { AnimalValues } from './animals.repository.js';

export function toAnimalDto(animal: AnimalEntity): AnimalDto {
  return {
    id: animal.id,
    name: animal.name,
    species: animal.species,
    breed: animal.breed,
    sex: animal.sex,
    neutered: animal.neutered,
    birthDate: animal.birthDate,
    microchipId: animal.microchipId,
    weightKg: animal.weightKg,
    tutor: { name: animal.tutorName, phone: animal.tutorPhone, email: animal.tutorEmail },
    notes: animal.notes,
    createdAt: animal.createdAt.toISOString(),
    updatedAt: animal.updatedAt.toISOString(),
  };
}

export function toAnimalValues(input: CreateAnimalDto): AnimalValues {
  return {
    name: input.name,
    species: input.species,
    breed: input.breed ?? null,
    sex: input.sex ?? 'unknown',
    neutered: input.neutered ?? null,
    birthDate: input.birthDate ?? null,
    microchipId: input.microchipId ?? null,
    weightKg: input.weightKg ?? null,
    tutorName: input.tutor.name,
    tutorPhone: input.tutor.phone ?? null,
    tutorEmail: input.tutor.email ?? null,
    notes: input.notes ?? null,
  };
}

/** Only the keys present in the patch; `null` clears. */
export function toAnimalChanges(patch: UpdateAnimalDto): Partial<AnimalValues> {
  const changes: Partial<AnimalValues> = {};
  const copy = <K extends keyof AnimalValues>(key: K, value: AnimalValues[K] | undefined) => {
    if (value !== undefined) changes[key] = value;
  };
  copy('name', patch.name);
  copy('species', patch.species);
  copy('breed', patch.breed);
  copy('sex', patch.sex);
  copy('neutered', patch.neutered);
  copy('birthDate', patch.birthDate);
  copy('microchipId', patch.microchipId);
  copy('weightKg', patch.weightKg);
  copy('notes', patch.notes);
  copy('tutorName', patch.tutor?.name);
  copy('tutorPhone', patch.tutor?.phone);
  copy('tutorEmail', patch.tutor?.email);
  return changes;
}
