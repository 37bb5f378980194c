import { paginate, type RevelaClient, type Schemas, unwrap } from '#sdk';
import type { Output } from '../output.js';

type Animal = Schemas['AnimalDto'];
type NewAnimal = Schemas['CreateAnimalDto'];

/** `revela animals list [--search TEXT] [--species S]`: every matching animal, page after page. */
export async function animalsListCommand(
  client: RevelaClient,
  options: { search?: string; species?: string },
  out: Output,
): Promise<number> {
  const animals: Animal[] = [];
  for await (const animal of paginate((cursor) =>
    client.GET('/v1/animals', {
      params: { query: { cursor, limit: 100, q: options.search, species: options.species as Animal['species'] | undefined } },
    }),
  ))
    animals.push(animal);
  const lines = animals.map(
    (a) => `${a.id}  ${a.species.padEnd(8)} ${a.name}  (tutor: ${a.tutor.name}${a.microchipId ? `, chip ${a.microchipId}` : ''})`,
  );
  out.result({ items: animals }, animals.length ? lines.join('\n') : 'No animals.');
  return 0;
}

export interface AnimalsAddOptions {
  name?: string;
  species?: string;
  tutor?: string;
  tutorPhone?: string;
  tutorEmail?: string;
  sex?: string;
  breed?: string;
  birthDate?: string;
  microchip?: string;
  weight?: string;
  neutered?: boolean;
  notes?: string;
}

/**
 * `revela animals add --name … --species … --tutor …`: registers an animal. The API decides what is
 * valid; its field errors are printed one per line (output.ts) and the exit code is 1.
 */
export async function animalsAddCommand(client: RevelaClient, options: AnimalsAddOptions, out: Output): Promise<number> {
  const weight = options.weight === undefined ? undefined : Number(options.weight);
  const body = {
    name: options.name,
    species: options.species,
    sex: options.sex,
    breed: options.breed,
    birthDate: options.birthDate,
    microchipId: options.microchip,
    // Not a number: sent as typed, so the API names the field.
    weightKg: weight === undefined || Number.isFinite(weight) ? weight : options.weight,
    neutered: options.neutered,
    notes: options.notes,
    tutor:
      options.tutor === undefined && options.tutorPhone === undefined && options.tutorEmail === undefined
        ? undefined
        : { name: options.tutor, phone: options.tutorPhone, email: options.tutorEmail },
  } as unknown as NewAnimal;
  const animal = await unwrap(client.POST('/v1/animals', { body }));
  out.result({ animal }, `Registered ${animal.name} (${animal.species}) as ${animal.id}.`);
  return 0;
}
