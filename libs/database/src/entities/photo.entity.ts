import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const PHOTO_STATUSES = ['pending_upload', 'processing', 'ready', 'failed'] as const;
export type PhotoStatus = (typeof PHOTO_STATUSES)[number];
export type PhotoUploadMethod = 'presigned' | 'multipart';

/** A rendition as stored, and as the thumbnail Lambda reports it (libs/thumbnails), with its key in the processed bucket. */
export interface StoredRendition {
  name: string;
  format: string;
  contentType: string;
  width: number;
  height: number;
  bytes: number;
  key: string;
}

const bigintTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

@Entity({ name: 'photos' })
export class PhotoEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId: string;

  @Column('uuid', { name: 'animal_id' })
  animalId: string;

  @Column('text')
  status: PhotoStatus;

  @Column('text', { name: 'upload_method' })
  uploadMethod: PhotoUploadMethod;

  @Column('text')
  filename: string;

  /** As declared by the client. */
  @Column('text', { name: 'content_type' })
  contentType: string;

  @Column('bigint', { nullable: true, transformer: bigintTransformer })
  bytes: number | null;

  @Column('text', { name: 'failure_reason', nullable: true })
  failureReason: string | null;

  @Column('text', { name: 'original_format', nullable: true })
  originalFormat: string | null;

  @Column('integer', { name: 'original_width', nullable: true })
  originalWidth: number | null;

  @Column('integer', { name: 'original_height', nullable: true })
  originalHeight: number | null;

  @Column('timestamptz', { name: 'taken_at', nullable: true })
  takenAt: Date | null;

  @Column('jsonb', { default: () => `'[]'::jsonb` })
  renditions: StoredRendition[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  /** When the photo became ready or failed. */
  @Column('timestamptz', { name: 'processed_at', nullable: true })
  processedAt: Date | null;
}
