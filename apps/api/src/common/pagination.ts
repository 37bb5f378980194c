import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { type Cursor, decodeCursor, encodeCursor } from '#database';
import { problems } from './problem.js';

export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20, description: 'Page size.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page’s `nextCursor`.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export interface PageRequest {
  limit: number;
  after?: Cursor;
}

/** Validates the cursor; a tampered or foreign cursor is a 400 naming the field. */
export function toPageRequest(query: PageQueryDto): PageRequest {
  const limit = query.limit ?? 20;
  if (query.cursor === undefined) return { limit };
  const after = decodeCursor(query.cursor);
  if (!after) throw problems.validation([{ field: 'cursor', message: 'cursor is not valid' }]);
  return { limit, after };
}

/** Fetch limit + 1 rows; this trims the extra one and derives the next cursor. */
export function toPage<Row extends { createdAt: Date; id: string }, Item>(
  rows: Row[],
  request: PageRequest,
  map: (row: Row) => Item,
): { items: Item[]; nextCursor: string | null } {
  const hasMore = rows.length > request.limit;
  const pageRows = hasMore ? rows.slice(0, request.limit) : rows;
  const last = pageRows.at(-1);
  return { items: pageRows.map(map), nextCursor: hasMore && last ? encodeCursor(last) : null };
}
