import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, Repository } from 'typeorm';
import { AnimalEntity, type Cursor, pageAfter, type Species, type TenantContext } from '#database';

export const MICROCHIP_CONSTRAINT = 'animals_tenant_microchip_key';

export type AnimalValues = Omit<AnimalEntity, 'id' | 'tenantId' | 'createdAt' | 'updatedAt'>;

export interface AnimalFilter {
  species?: Species;
  q?: string;
}

/** `%`, `_` and `\` are literal in a search term. */
function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

@Injectable()
export class AnimalsRepository {
  private readonly animals: Repository<AnimalEntity>;

  constructor(@InjectDataSource() db: DataSource) {
    this.animals = db.getRepository(AnimalEntity);
  }

  /** Throws a unique violation on MICROCHIP_CONSTRAINT when the chip is taken in this tenant. */
  async create(ctx: TenantContext, values: AnimalValues): Promise<AnimalEntity> {
    return this.animals.save(this.animals.create({ ...values, id: randomUUID(), tenantId: ctx.tenantId }));
  }

  async list(ctx: TenantContext, filter: AnimalFilter, limit: number, after?: Cursor): Promise<AnimalEntity[]> {
    const query = this.animals.createQueryBuilder('a').where('a.tenant_id = :tenantId', { tenantId: ctx.tenantId });
    if (filter.species) query.andWhere('a.species = :species', { species: filter.species });
    if (filter.q) {
      // Microchips are stored without separators, so the term is compared the same way there.
      query.andWhere(`(a.name ILIKE :pattern OR a.tutor_name ILIKE :pattern OR a.microchip_id ILIKE :chip)`, {
        pattern: likePattern(filter.q),
        chip: likePattern(filter.q.replace(/[\s-]/g, '')),
      });
    }
    return pageAfter(query, 'a', after, limit).getMany();
  }

  async findOne(ctx: TenantContext, id: string): Promise<AnimalEntity | null> {
    return this.animals.findOneBy({ id, tenantId: ctx.tenantId });
  }

  /** Applies the changed columns; false when the animal is not this tenant's. */
  async update(ctx: TenantContext, id: string, changes: Partial<AnimalValues>): Promise<boolean> {
    if (Object.keys(changes).length === 0) return (await this.findOne(ctx, id)) !== null;
    const result = await this.animals
      .createQueryBuilder()
      .update()
      .set(changes)
      .where('id = :id AND tenant_id = :tenantId', { id, tenantId: ctx.tenantId })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Deletes the animal and, by cascade, its photo rows. */
  async delete(ctx: TenantContext, id: string): Promise<boolean> {
    const result = await this.animals.delete({ id, tenantId: ctx.tenantId });
    return (result.affected ?? 0) > 0;
  }
}
