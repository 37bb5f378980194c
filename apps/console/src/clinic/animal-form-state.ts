import type { Schemas } from '../api.js';
import type { Species } from './species.js';

/** What the form edits: every input as a string, as typed. */
export interface AnimalFormState {
  name: string;
  species: Species;
  sex: Schemas['AnimalDto']['sex'];
  breed: string;
  birthDate: string;
  microchipId: string;
  weightKg: string;
  neutered: '' | 'yes' | 'no';
  tutorName: string;
  tutorPhone: string;
  tutorEmail: string;
  notes: string;
}

export const EMPTY_ANIMAL: AnimalFormState = {
  name: '',
  species: 'dog',
  sex: 'unknown',
  breed: '',
  birthDate: '',
  microchipId: '',
  weightKg: '',
  neutered: '',
  tutorName: '',
  tutorPhone: '',
  tutorEmail: '',
  notes: '',
};

export function fromAnimal(animal: Schemas['AnimalDto']): AnimalFormState {
  return {
    name: animal.name,
    species: animal.species,
    sex: animal.sex,
    breed: animal.breed ?? '',
    birthDate: animal.birthDate ?? '',
    microchipId: animal.microchipId ?? '',
    weightKg: animal.weightKg == null ? '' : String(animal.weightKg),
    neutered: animal.neutered == null ? '' : animal.neutered ? 'yes' : 'no',
    tutorName: animal.tutor.name,
    tutorPhone: animal.tutor.phone ?? '',
    tutorEmail: animal.tutor.email ?? '',
    notes: animal.notes ?? '',
  };
}

const orNull = (value: string) => (value.trim() === '' ? null : value.trim());

/**
 * The request body. Values are sent as typed (the server decides what is valid and says why, per
 * field); an empty optional field is null (unknown / cleared).
 */
export function toBody(state: AnimalFormState): Schemas['CreateAnimalDto'] {
  return {
    name: state.name.trim(),
    species: state.species,
    sex: state.sex,
    breed: orNull(state.breed),
    birthDate: orNull(state.birthDate),
    microchipId: orNull(state.microchipId),
    weightKg: state.weightKg.trim() === '' ? null : Number(state.weightKg),
    neutered: state.neutered === '' ? null : state.neutered === 'yes',
    tutor: { name: state.tutorName.trim(), phone: orNull(state.tutorPhone), email: orNull(state.tutorEmail) },
    notes: orNull(state.notes),
  };
}
