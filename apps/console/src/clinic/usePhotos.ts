import { useCallback, useEffect, useState } from 'react';
import { paginate } from '#sdk';
import { describeError, type RevelaClient, type Schemas } from '../api.js';

export type Photo = Schemas['PhotoDto'];
const SETTLED = new Set(['ready', 'failed']);

/** An animal's photos, refreshed every second or so while any is still being processed. */
export function usePhotos(client: RevelaClient, animalId: string) {
  const [photos, setPhotos] = useState<Photo[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      const all: Photo[] = [];
      for await (const photo of paginate((cursor) =>
        client.GET('/v1/animals/{animalId}/photos', { params: { path: { animalId }, query: { cursor, limit: 100 } } }),
      ))
        all.push(photo);
      setPhotos(all);
      setError(null);
    } catch (failure) {
      setError(describeError(failure));
    }
  }, [client, animalId]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const unsettled = photos?.some((photo) => !SETTLED.has(photo.status)) ?? false;
  useEffect(() => {
    if (!unsettled) return;
    const timer = setInterval(() => void refresh(), 1000);
    return () => clearInterval(timer);
  }, [unsettled, refresh]);

  return { photos, error, refresh };
}
