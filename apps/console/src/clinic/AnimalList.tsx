import { useEffect, useState } from 'react';
import { unwrap } from '#sdk';
import { describeError, type RevelaClient, type Schemas } from '../api.js';
import { href } from '../router.js';
import { ErrorNotice } from '../ui/ErrorNotice.js';
import { SPECIES, type Species } from './species.js';

const PAGE_SIZE = 20;

/** The clinic's animals: search (name, microchip, tutor), species filter, and cursor paging. */
export function AnimalList({ client }: { client: RevelaClient }) {
  const [q, setQ] = useState('');
  const [species, setSpecies] = useState<Species | ''>('');
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const [page, setPage] = useState<Schemas['AnimalPageDto'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const cursor = cursors[cursors.length - 1];

  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      const query = { limit: PAGE_SIZE, cursor, q: q.trim() || undefined, species: species || undefined };
      unwrap(client.GET('/v1/animals', { params: { query } })).then(
        (found) => live && (setPage(found), setError(null)),
        (failure: unknown) => live && setError(describeError(failure)),
      );
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [client, q, species, cursor]);

  const restart = () => setCursors([undefined]);
  return (
    <section aria-labelledby="animals-title">
      <div className="title-row">
        <h1 id="animals-title">Animals</h1>
        <a className="button" href={href('animals', 'new')}>
          Register an animal
        </a>
      </div>
      <div className="filters" role="search">
        <label>
          Search
          <input
            type="search"
            value={q}
            placeholder="Name, microchip or tutor"
            onChange={(event) => (setQ(event.target.value), restart())}
          />
        </label>
        <label>
          Species
          <select value={species} onChange={(event) => (setSpecies(event.target.value as Species | ''), restart())}>
            <option value="">All species</option>
            {SPECIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNotice message={error} />
      {page && page.items.length === 0 && <p>No animals found.</p>}
      {page && page.items.length > 0 && (
        <ul className="cards" aria-label="Animals">
          {page.items.map((animal) => (
            <li key={animal.id}>
              <a href={href('animals', animal.id)}>{animal.name}</a>
              <span>
                {animal.species}
                {animal.breed ? ` · ${animal.breed}` : ''}
              </span>
              <span>Tutor: {animal.tutor.name}</span>
            </li>
          ))}
        </ul>
      )}
      <nav className="pager" aria-label="Pages">
        <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous page
        </button>
        <button type="button" disabled={!page?.nextCursor} onClick={() => page?.nextCursor && setCursors([...cursors, page.nextCursor])}>
          Next page
        </button>
      </nav>
    </section>
  );
}
