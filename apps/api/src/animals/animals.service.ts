import { Injectable, Logger } from '@nestjs/common';
import type { TenantContext } from '#database';
import { type PageRequest, toPage } from '../common/pagination.js';
import { isUniqueViolation } from '../common/db-errors.js';
import { problems } from '../common/problem.js';
import type { AnimalDto, AnimalListQueryDto, AnimalPageDto, CreateAnimalDto, UpdateAnimalDto } from './dto/animal.dto.js';
import { toAnimalChanges, toAnimalDto, toAnimalValues } from './animal.mapper.js';
import { AnimalsRepository, MICROCHIP_CONSTRAINT } from './animals.repository.js';
import { PhotoStorage } from './photo-storage.js';

@Injectable()
export class AnimalsService {
  private readonly logger = new Logger(AnimalsService.name);

  constructor(
    private readonly animals: AnimalsRepository,
    private readonly storage: PhotoStorage,
  ) {}

  async create(ctx: TenantContext, input: CreateAnimalDto): Promise<AnimalDto> {
    try {
      return toAnimalDto(await this.animals.create(ctx, toAnimalValues(input)));
    } catch (error) {
      throw microchipConflict(error) ?? error;
    }
  }

  async list(ctx: TenantContext, query: AnimalListQueryDto, page: PageRequest): Promise<AnimalPageDto> {
    const rows = await this.animals.list(ctx, { species: query.species, q: query.q }, page.limit + 1, page.after);
    return toPage(rows, page, toAnimalDto);
  }

  async get(ctx: TenantContext, id: string): Promise<AnimalDto> {
    const animal = await this.animals.findOne(ctx, id);
    if (!animal) throw problems.notFound('Animal');
    return toAnimalDto(animal);
  }

  async update(ctx: TenantContext, id: string, patch: UpdateAnimalDto): Promise<AnimalDto> {
    let found: boolean;
    try {
      found = await this.animals.update(ctx, id, toAnimalChanges(patch));
    } catch (error) {
      throw microchipConflict(error) ?? error;
    }
    if (!found) throw problems.notFound('Animal');
    return this.get(ctx, id);
  }

  /** Rows first (photos go by cascade), then every object under the animal in both buckets. */
  async delete(ctx: TenantContext, id: string): Promise<void> {
    if (!(await this.animals.delete(ctx, id))) throw problems.notFound('Animal');
    await this.storage.deleteAnimal(ctx.tenantId, id).catch((err: unknown) => {
      // The rows are gone, so nothing can reach these objects; a later run of the same prefix
      // delete (or a bucket lifecycle rule) removes them.
      this.logger.error({ err, animalId: id }, 'could not delete the animal’s objects');
    });
  }

  /** 404 unless the animal exists for this tenant. */
  async assertExists(ctx: TenantContext, id: string): Promise<void> {
    if (!(await this.animals.findOne(ctx, id))) throw problems.notFound('Animal');
  }
}

function microchipConflict(error: unknown) {
  return isUniqueViolation(error, MICROCHIP_CONSTRAINT)
    ? problems.conflict('Another animal of this clinic already has this microchip id.', {
        errors: [{ field: 'microchipId', message: 'microchipId is already registered' }],
      })
    : undefined;
}
