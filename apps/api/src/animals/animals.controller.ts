import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { TenantContext } from '#database';
import { toPageRequest } from '../common/pagination.js';
import { ProblemDocument } from '../common/problem.js';
import { UuidParamPipe } from '../common/uuid-param.pipe.js';
import { CurrentTenant, ForTenantKind } from '../tenants/auth.decorators.js';
import { AnimalDto, AnimalListQueryDto, AnimalPageDto, CreateAnimalDto, UpdateAnimalDto } from './dto/animal.dto.js';
import { AnimalsService } from './animals.service.js';

@ApiTags('Animals')
@ForTenantKind('clinic')
@Controller({ path: 'animals', version: '1' })
export class AnimalsController {
  constructor(private readonly animals: AnimalsService) {}

  @Post()
  @ApiOperation({ operationId: 'createAnimal', summary: 'Register an animal' })
  @ApiCreatedResponse({ type: AnimalDto })
  @ApiBadRequestResponse({ type: ProblemDocument })
  @ApiConflictResponse({ type: ProblemDocument, description: 'Another animal of this clinic has the same microchip id.' })
  create(@CurrentTenant() tenant: TenantContext, @Body() body: CreateAnimalDto): Promise<AnimalDto> {
    return this.animals.create(tenant, body);
  }

  @Get()
  @ApiOperation({
    operationId: 'listAnimals',
    summary: 'List animals',
    description: 'Filter by `species`; `q` searches name, microchip id and tutor name.',
  })
  @ApiOkResponse({ type: AnimalPageDto })
  @ApiBadRequestResponse({ type: ProblemDocument })
  list(@CurrentTenant() tenant: TenantContext, @Query() query: AnimalListQueryDto): Promise<AnimalPageDto> {
    return this.animals.list(tenant, query, toPageRequest(query));
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getAnimal', summary: 'Get an animal' })
  @ApiOkResponse({ type: AnimalDto })
  @ApiNotFoundResponse({ type: ProblemDocument })
  get(@CurrentTenant() tenant: TenantContext, @Param('id', UuidParamPipe) id: string): Promise<AnimalDto> {
    return this.animals.get(tenant, id);
  }

  @Patch(':id')
  @ApiOperation({
    operationId: 'updateAnimal',
    summary: 'Update an animal',
    description: 'Absent fields stay as they are; `null` clears an optional field.',
  })
  @ApiOkResponse({ type: AnimalDto })
  @ApiBadRequestResponse({ type: ProblemDocument })
  @ApiNotFoundResponse({ type: ProblemDocument })
  @ApiConflictResponse({ type: ProblemDocument, description: 'Another animal of this clinic has the same microchip id.' })
  update(
    @CurrentTenant() tenant: TenantContext,
    @Param('id', UuidParamPipe) id: string,
    @Body() body: UpdateAnimalDto,
  ): Promise<AnimalDto> {
    return this.animals.update(tenant, id, body);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ operationId: 'deleteAnimal', summary: 'Delete an animal with all its photos (rows and stored files)' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ProblemDocument })
  delete(@CurrentTenant() tenant: TenantContext, @Param('id', UuidParamPipe) id: string): Promise<void> {
    return this.animals.delete(tenant, id);
  }
}
