import { useEffect, useState } from 'react';
import { unwrap } from '#sdk';
import { describeError, type RevelaClient, type Schemas } from '../api.js';
import { href } from '../router.js';
import { ErrorNotice } from '../ui/ErrorNotice.js';
import { PhotoGrid } from './PhotoGrid.js';
import { PhotoUploader } from './PhotoUploader.js';
import { type Photo, usePhotos } from './usePhotos.js';

/** One animal: its details, its photos as thumbnails, and the photo uploader. */
export function AnimalPage({ client, animalId }: { client: RevelaClient; animalId: string }) {
  const [animal, setAnimal] = useState<Schemas['AnimalDto'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { photos, error: photosError, refresh } = usePhotos(client, animalId);

  useEffect(() => {
    unwrap(client.GET('/v1/animals/{id}', { params: { path: { id: animalId } } })).then(setAnimal, (failure: unknown) =>
      setError(describeError(failure)),
    );
  }, [client, animalId]);

  const deletePhoto = async (photo: Photo) => {
    if (!window.confirm(`Delete ${photo.filename}? Its renditions are deleted too.`)) return;
    try {
      await unwrap(client.DELETE('/v1/animals/{animalId}/photos/{photoId}', { params: { path: { animalId, photoId: photo.id } } }));
      setError(null);
    } catch (failure) {
      setError(describeError(failure));
    }
    await refresh();
  };

  if (!animal) return <ErrorNotice message={error} />;
  const facts: Array<[string, string | null]> = [
    ['Species', animal.species],
    ['Breed', animal.breed],
    ['Sex', animal.sex],
    ['Neutered', animal.neutered == null ? null : animal.neutered ? 'yes' : 'no'],
    ['Birth date', animal.birthDate],
    ['Microchip', animal.microchipId],
    ['Weight', animal.weightKg == null ? null : `${animal.weightKg} kg`],
    ['Tutor', [animal.tutor.name, animal.tutor.phone, animal.tutor.email].filter(Boolean).join(' · ')],
    ['Notes', animal.notes],
  ];
  return (
    <section aria-labelledby="animal-title">
      <p>
        <a href={href()}>← Animals</a>
      </p>
      <div className="title-row">
        <h1 id="animal-title">{animal.name}</h1>
        <a className="button" href={href('animals', animal.id, 'edit')}>
          Edit
        </a>
      </div>
      <dl className="facts">
        {facts
          .filter(([, value]) => value)
          .map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
      </dl>
      <h2>Photos</h2>
      <PhotoUploader client={client} animalId={animalId} photos={photos ?? []} onUploaded={() => void refresh()} />
      <ErrorNotice message={photosError ?? error} />
      {photos && <PhotoGrid photos={photos} onDelete={(photo) => void deletePhoto(photo)} />}
    </section>
  );
}
