import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { problems } from './problem.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** Path ids must be UUIDs; anything else is a 400 naming the parameter. */
@Injectable()
export class UuidParamPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (!UUID.test(value)) throw problems.validation([{ field: metadata.data ?? 'id', message: 'must be a UUID' }]);
    return value.toLowerCase();
  }
}
