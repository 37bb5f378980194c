import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AnimalsAndPhotos1763800200000 implements MigrationInterface {
  name = 'AnimalsAndPhotos1763800200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE animals (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        name text NOT NULL,
        species text NOT NULL CHECK (species IN ('dog', 'cat', 'bird', 'rabbit', 'rodent', 'reptile', 'horse', 'other')),
        breed text,
        sex text NOT NULL DEFAULT 'unknown' CHECK (sex IN ('male', 'female', 'unknown')),
        neutered boolean,
        birth_date date,
        microchip_id text,
        weight_kg numeric(8, 3) CHECK (weight_kg > 0),
        tutor_name text NOT NULL,
        tutor_phone text,
        tutor_email text,
        notes text,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        CONSTRAINT animals_tenant_id_key UNIQUE (tenant_id, id),
        CONSTRAINT animals_tenant_microchip_key UNIQUE (tenant_id, microchip_id)
      )`);
    await db.query(`CREATE INDEX animals_tenant_created ON animals (tenant_id, created_at, id)`);
    await db.query(`CREATE INDEX animals_tenant_species_created ON animals (tenant_id, species, created_at, id)`);
    await db.query(`
      CREATE TABLE photos (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        animal_id uuid NOT NULL,
        status text NOT NULL CHECK (status IN ('pending_upload', 'processing', 'ready', 'failed')),
        upload_method text NOT NULL CHECK (upload_method IN ('presigned', 'multipart')),
        filename text NOT NULL,
        content_type text NOT NULL,
        bytes bigint,
        failure_reason text,
        original_format text,
        original_width integer,
        original_height integer,
        taken_at timestamptz,
        renditions jsonb NOT NULL DEFAULT '[]'::jsonb,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        processed_at timestamptz,
        -- A photo belongs to an animal of the same tenant, and goes with it.
        CONSTRAINT photos_animal_fkey FOREIGN KEY (tenant_id, animal_id) REFERENCES animals (tenant_id, id) ON DELETE CASCADE,
        CONSTRAINT photos_failed_has_reason CHECK ((status = 'failed') = (failure_reason IS NOT NULL))
      )`);
    await db.query(`CREATE INDEX photos_tenant_animal_created ON photos (tenant_id, animal_id, created_at, id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE photos');
    await db.query('DROP TABLE animals');
  }
}
