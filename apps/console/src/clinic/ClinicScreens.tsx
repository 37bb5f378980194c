import type { RevelaClient } from '../api.js';
import { useRoute } from '../router.js';
import { AnimalForm } from './AnimalForm.js';
import { AnimalList } from './AnimalList.js';
import { AnimalPage } from './AnimalPage.js';

/** `#/` animals, `#/animals/new`, `#/animals/{id}`, `#/animals/{id}/edit`. */
export function ClinicScreens({ client }: { client: RevelaClient }) {
  const [section, id, action] = useRoute();
  if (section === 'animals' && id === 'new') return <AnimalForm client={client} />;
  if (section === 'animals' && id && action === 'edit') return <AnimalForm client={client} animalId={id} />;
  if (section === 'animals' && id) return <AnimalPage client={client} animalId={id} />;
  return <AnimalList client={client} />;
}
