import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsObject,
  IsEmail,
  IsIn,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  ValidateIf,
  ValidateNested,
  registerDecorator,
} from 'class-validator';
import { ANIMAL_SEXES, SPECIES, type AnimalSex, type Species } from '#database';
import { PageQueryDto } from '../../common/pagination.js';
import { SingleLine, MultiLine } from '../../common/text-rules.js';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
/** Microchips are printed with spaces or dashes; stored as uppercase digits and letters. */
const normaliseMicrochip = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.replace(/[\s-]/g, '').toUpperCase() : value;

/** A real calendar date (`YYYY-MM-DD`), not after today (UTC) and not before 1900. */
function IsPastCalendarDate() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isPastCalendarDate',
      target: target.constructor,
      propertyName,
      options: { message: `${propertyName} must be a date (YYYY-MM-DD) that is not in the future` },
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'string' || !DATE_ONLY.test(value)) return false;
          const date = new Date(`${value}T00:00:00Z`);
          if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) return false;
          return value >= '1900-01-01' && value <= new Date().toISOString().slice(0, 10);
        },
      },
    });
}

/** Optional, but when the key is present it must hold a value (columns that are never null). */
const PresentNotNull = () => ValidateIf((_object: object, value: unknown) => value !== undefined);

/** Validation of each field, shared by create (required/optional) and patch (all optional). */
const rules = {
  name: (max: number) => applyDecorators(Transform(trim), IsString(), Length(1, max), SingleLine()),
  species: () => IsIn(SPECIES),
  sex: () => IsIn(ANIMAL_SEXES),
  neutered: () => IsBoolean(),
  birthDate: () => IsPastCalendarDate(),
  microchipId: () =>
    applyDecorators(
      Transform(normaliseMicrochip),
      IsString(),
      Matches(/^[0-9A-Z]{9,15}$/, { message: 'microchipId must be 9 to 15 digits or letters' }),
    ),
  weightKg: () =>
    applyDecorators(
      IsNumber(
        { allowNaN: false, allowInfinity: false, maxDecimalPlaces: 3 },
        { message: 'weightKg must be a number with at most 3 decimals' },
      ),
      IsPositive({ message: 'weightKg must be greater than 0' }),
      Max(2000),
    ),
  phone: () =>
    applyDecorators(
      IsString(),
      Matches(/^\+?[0-9][0-9 ().-]{3,28}[0-9]$/, { message: 'phone must be a phone number (digits, spaces, +, -, parentheses)' }),
    ),
  email: () => applyDecorators(IsEmail({}, { message: 'email must be an email address' }), MaxLength(254)),
  notes: () => applyDecorators(IsString(), MaxLength(4000), MultiLine()),
};

const doc = {
  tutorName: { example: 'Maria Silva', maxLength: 200 },
  phone: { example: '+351 912 345 678', nullable: true, type: String },
  email: { example: 'maria@example.com', nullable: true, type: String },
  name: { example: 'Bolinha', maxLength: 120 },
  species: { enum: SPECIES, example: 'dog' },
  breed: { example: 'Beagle', maxLength: 120, nullable: true, type: String },
  sex: { enum: ANIMAL_SEXES, example: 'female' },
  neutered: { example: true, nullable: true, type: Boolean, description: 'null when not known.' },
  birthDate: { example: '2019-04-12', format: 'date', nullable: true, type: String, description: 'Not in the future.' },
  microchipId: {
    example: '900123456789012',
    nullable: true,
    type: String,
    description: 'ISO 11784 (15 digits) or an older 9-10 character chip; unique within the clinic. Spaces and dashes are ignored.',
  },
  weightKg: { example: 12.4, maximum: 2000, nullable: true, type: Number, description: 'Kilograms, greater than 0.' },
  notes: { example: 'Allergic to penicillin.', maxLength: 4000, nullable: true, type: String },
} as const;

/** How to reach the tutor; optional on create, `null` clears on patch. */
class TutorContactDto {
  @ApiPropertyOptional(doc.phone)
  @IsOptional()
  @rules.phone()
  phone?: string | null;

  @ApiPropertyOptional(doc.email)
  @IsOptional()
  @rules.email()
  email?: string | null;
}

export class TutorDto extends TutorContactDto {
  @ApiProperty(doc.tutorName)
  @rules.name(200)
  name: string;
}

export class PatchTutorDto extends TutorContactDto {
  @ApiPropertyOptional(doc.tutorName)
  @PresentNotNull()
  @rules.name(200)
  name?: string;
}

/** The optional fields, the same on create and on patch (`null` clears on patch). */
class AnimalDetailsDto {
  @ApiPropertyOptional(doc.breed)
  @IsOptional()
  @rules.name(120)
  breed?: string | null;

  @ApiPropertyOptional(doc.neutered)
  @IsOptional()
  @rules.neutered()
  neutered?: boolean | null;

  @ApiPropertyOptional(doc.birthDate)
  @IsOptional()
  @rules.birthDate()
  birthDate?: string | null;

  @ApiPropertyOptional(doc.microchipId)
  @IsOptional()
  @rules.microchipId()
  microchipId?: string | null;

  @ApiPropertyOptional(doc.weightKg)
  @IsOptional()
  @rules.weightKg()
  weightKg?: number | null;

  @ApiPropertyOptional(doc.notes)
  @IsOptional()
  @rules.notes()
  notes?: string | null;
}

export class CreateAnimalDto extends AnimalDetailsDto {
  @ApiProperty(doc.name)
  @rules.name(120)
  name: string;

  @ApiProperty(doc.species)
  @rules.species()
  species: Species;

  @ApiPropertyOptional({ ...doc.sex, default: 'unknown' })
  @PresentNotNull()
  @rules.sex()
  sex?: AnimalSex;

  @ApiProperty({ type: TutorDto })
  @IsObject({ message: 'tutor is required: an object with at least the tutor’s name' })
  @ValidateNested()
  @Type(() => TutorDto)
  tutor: TutorDto;
}

/** Partial update: absent keys stay as they are, `null` clears an optional field. */
export class UpdateAnimalDto extends AnimalDetailsDto {
  @ApiPropertyOptional(doc.name)
  @PresentNotNull()
  @rules.name(120)
  name?: string;

  @ApiPropertyOptional(doc.species)
  @PresentNotNull()
  @rules.species()
  species?: Species;

  @ApiPropertyOptional(doc.sex)
  @PresentNotNull()
  @rules.sex()
  sex?: AnimalSex;

  @ApiPropertyOptional({ type: PatchTutorDto, description: 'Only the given tutor fields change.' })
  @PresentNotNull()
  @ValidateNested()
  @Type(() => PatchTutorDto)
  tutor?: PatchTutorDto;
}

export class AnimalListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: SPECIES, example: 'cat' })
  @IsOptional()
  @IsIn(SPECIES)
  species?: Species;

  @ApiPropertyOptional({ example: 'silva', maxLength: 100, description: 'Case-insensitive search over name, microchip id and tutor name.' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  q?: string;
}

export class TutorViewDto {
  @ApiProperty({ example: 'Maria Silva' })
  name: string;

  @ApiProperty({ example: '+351 912 345 678', nullable: true, type: String })
  phone: string | null;

  @ApiProperty({ example: 'maria@example.com', nullable: true, type: String })
  email: string | null;
}

export class AnimalDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Bolinha' })
  name: string;

  @ApiProperty({ enum: SPECIES, example: 'dog' })
  species: Species;

  @ApiProperty({ example: 'Beagle', nullable: true, type: String })
  breed: string | null;

  @ApiProperty({ enum: ANIMAL_SEXES, example: 'female' })
  sex: AnimalSex;

  @ApiProperty({ example: true, nullable: true, type: Boolean })
  neutered: boolean | null;

  @ApiProperty({ example: '2019-04-12', format: 'date', nullable: true, type: String })
  birthDate: string | null;

  @ApiProperty({ example: '900123456789012', nullable: true, type: String })
  microchipId: string | null;

  @ApiProperty({ example: 12.4, nullable: true, type: Number })
  weightKg: number | null;

  @ApiProperty({ type: TutorViewDto })
  tutor: TutorViewDto;

  @ApiProperty({ example: 'Allergic to penicillin.', nullable: true, type: String })
  notes: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class AnimalPageDto {
  @ApiProperty({ type: [AnimalDto] })
  items: AnimalDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.' })
  nextCursor: string | null;
}
