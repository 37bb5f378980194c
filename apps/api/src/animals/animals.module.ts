import { Module } from '@nestjs/common';
import { AnimalsController } from './animals.controller.js';
import { AnimalsRepository } from './animals.repository.js';
import { AnimalsService } from './animals.service.js';
import { PhotoReportsService } from './photo-reports.service.js';
import { PhotoStorage } from './photo-storage.js';
import { PhotoWatchdog } from './photo-watchdog.js';
import { PhotosController } from './photos.controller.js';
import { PhotosRepository } from './photos.repository.js';
import { PhotosService } from './photos.service.js';

@Module({
  controllers: [AnimalsController, PhotosController],
  providers: [AnimalsRepository, AnimalsService, PhotosRepository, PhotosService, PhotoStorage, PhotoReportsService, PhotoWatchdog],
  exports: [PhotoReportsService],
})
export class AnimalsModule {}
