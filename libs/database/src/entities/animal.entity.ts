import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const SPECIES = ['dog', 'cat', 'bird', 'rabbit', 'rodent', 'reptile', 'horse', 'other'] as const;
export type Species = (typeof SPECIES)[number];
export const ANIMAL_SEXES = ['male', 'female', 'unknown'] as const;
export type AnimalSex = (typeof ANIMAL_SEXES)[number];

/** numeric comes back from pg as a string; weights are small enough for a JS number. */
const numericTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

@Entity({ name: 'animals' })
export class AnimalEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId: string;

  @Column('text')
  name: string;

  @Column('text')
  species: Species;

  @Column('text', { nullable: true })
  breed: string | null;

  @Column('text')
  sex: AnimalSex;

  @Column('boolean', { nullable: true })
  neutered: boolean | null;

  /** Calendar date, `YYYY-MM-DD`. */
  @Column('date', { name: 'birth_date', nullable: true })
  birthDate: string | null;

  @Column('text', { name: 'microchip_id', nullable: true })
  microchipId: string | null;

  @Column('numeric', { name: 'weight_kg', nullable: true, precision: 8, scale: 3, transformer: numericTransformer })
  weightKg: number | null;

  @Column('text', { name: 'tutor_name' })
  tutorName: string;

  @Column('text', { name: 'tutor_phone', nullable: true })
  tutorPhone: string | null;

  @Column('text', { name: 'tutor_email', nullable: true })
  tutorEmail: string | null;

  @Column('text', { nullable: true })
  notes: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
