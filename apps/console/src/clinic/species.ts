import type { Schemas } from '../api.js';

export type Species = Schemas['AnimalDto']['species'];
export const SPECIES: Species[] = ['dog', 'cat', 'bird', 'rabbit', 'rodent', 'reptile', 'horse', 'other'];
export const SEXES: Array<Schemas['AnimalDto']['sex']> = ['unknown', 'female', 'male'];
