import { useEffect, useState, type FormEvent } from 'react';
import { unwrap } from '#sdk';
import { describeError, fieldErrors, newIdempotencyKey, RevelaProblem, type RevelaClient } from '../api.js';
import { go, href } from '../router.js';
import { ErrorNotice } from '../ui/ErrorNotice.js';
import { Field } from '../ui/Field.js';
import { type AnimalFormState, EMPTY_ANIMAL, fromAnimal, toBody } from './animal-form-state.js';
import { SEXES, SPECIES } from './species.js';

/** Registers an animal, or edits one (`animalId`); the server's field errors appear next to the fields. */
export function AnimalForm({ client, animalId }: { client: RevelaClient; animalId?: string }) {
  const [state, setState] = useState<AnimalFormState>(EMPTY_ANIMAL);
  const [loaded, setLoaded] = useState(!animalId);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (!animalId) return;
    unwrap(client.GET('/v1/animals/{id}', { params: { path: { id: animalId } } })).then(
      (animal) => (setState(fromAnimal(animal)), setLoaded(true)),
      (failure: unknown) => setError(describeError(failure)),
    );
  }, [client, animalId]);

  const set =
    <K extends keyof AnimalFormState>(name: K) =>
    (event: { target: { value: string } }) =>
      setState((s) => ({ ...s, [name]: event.target.value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setErrors({});
    setError(null);
    try {
      const body = toBody(state);
      const saved = animalId
        ? await unwrap(client.PATCH('/v1/animals/{id}', { params: { path: { id: animalId } }, body }))
        : await unwrap(client.POST('/v1/animals', { body, params: { header: { 'Idempotency-Key': newIdempotencyKey() } } }));
      go('animals', saved.id);
    } catch (failure) {
      const byField = fieldErrors(failure);
      setErrors(byField);
      const unplaced = failure instanceof RevelaProblem && Object.keys(byField).some((field) => !FIELDS.has(field));
      setError(Object.keys(byField).length && !unplaced ? 'Please correct the fields marked below.' : describeError(failure));
    } finally {
      setSaving(false);
    }
  };

  const title = animalId ? `Edit ${state.name || 'animal'}` : 'Register an animal';
  if (!loaded) return <ErrorNotice message={error} />;
  return (
    <section aria-labelledby="animal-form-title">
      <h1 id="animal-form-title">{title}</h1>
      <form onSubmit={(event) => void submit(event)} noValidate className="form">
        <ErrorNotice message={error} />
        <Field label="Name" error={errors.name}>
          {(p) => <input {...p} value={state.name} onChange={set('name')} required />}
        </Field>
        <Field label="Species" error={errors.species}>
          {(p) => (
            <select {...p} value={state.species} onChange={set('species')}>
              {SPECIES.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Sex" error={errors.sex}>
          {(p) => (
            <select {...p} value={state.sex} onChange={set('sex')}>
              {SEXES.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Breed" error={errors.breed}>
          {(p) => <input {...p} value={state.breed} onChange={set('breed')} />}
        </Field>
        <Field label="Birth date" error={errors.birthDate}>
          {(p) => <input {...p} type="date" value={state.birthDate} onChange={set('birthDate')} />}
        </Field>
        <Field label="Microchip" error={errors.microchipId}>
          {(p) => <input {...p} inputMode="numeric" value={state.microchipId} onChange={set('microchipId')} />}
        </Field>
        <Field label="Weight (kg)" error={errors.weightKg}>
          {(p) => <input {...p} inputMode="decimal" value={state.weightKg} onChange={set('weightKg')} />}
        </Field>
        <Field label="Neutered" error={errors.neutered}>
          {(p) => (
            <select {...p} value={state.neutered} onChange={set('neutered')}>
              <option value="">not known</option>
              <option value="yes">yes</option>
              <option value="no">no</option>
            </select>
          )}
        </Field>
        <fieldset>
          <legend>Tutor</legend>
          <Field label="Tutor name" error={errors['tutor.name'] ?? errors.tutor}>
            {(p) => <input {...p} value={state.tutorName} onChange={set('tutorName')} required />}
          </Field>
          <Field label="Tutor phone" error={errors['tutor.phone']}>
            {(p) => <input {...p} type="tel" value={state.tutorPhone} onChange={set('tutorPhone')} />}
          </Field>
          <Field label="Tutor email" error={errors['tutor.email']}>
            {(p) => <input {...p} type="email" value={state.tutorEmail} onChange={set('tutorEmail')} />}
          </Field>
        </fieldset>
        <Field label="Notes" error={errors.notes}>
          {(p) => <textarea {...p} value={state.notes} onChange={set('notes')} rows={3} />}
        </Field>
        <div className="actions">
          <button type="submit" disabled={saving}>
            {animalId ? 'Save changes' : 'Register'}
          </button>
          <a href={animalId ? href('animals', animalId) : href()}>Cancel</a>
        </div>
      </form>
    </section>
  );
}

const FIELDS = new Set([
  'name',
  'species',
  'sex',
  'breed',
  'birthDate',
  'microchipId',
  'weightKg',
  'neutered',
  'tutor',
  'tutor.name',
  'tutor.phone',
  'tutor.email',
  'notes',
]);
