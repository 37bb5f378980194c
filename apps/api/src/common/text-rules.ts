import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

/** No control characters at all: names, filenames, one-line descriptions. Length rules are separate. */
const SINGLE_LINE = /^[^\u0000-\u001f\u007f]*$/;
/** Free text may keep tabs and line breaks, but no other control characters. */
const MULTI_LINE = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/;

/** The rule, and its pattern in the OpenAPI schema (the Swagger plugin only sees inline `@Matches`). */
function noControlCharacters(pattern: RegExp): PropertyDecorator {
  return applyDecorators(
    Matches(pattern, { message: '$property must not contain control characters' }),
    ApiProperty({ pattern: pattern.source }),
  );
}

export const SingleLine = () => noControlCharacters(SINGLE_LINE);
export const MultiLine = () => noControlCharacters(MULTI_LINE);
