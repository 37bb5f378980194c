import { Module } from '@nestjs/common';
import { AnimalsModule } from '../animals/animals.module.js';
import { CallbackSignatureGuard } from './callback-signature.guard.js';
import { PhotoResultsController } from './photo-results.controller.js';
import { ReportReplayStore } from './report-replay.store.js';

/** Endpoints for Revela's own functions (HMAC-signed), never for tenants. */
@Module({
  imports: [AnimalsModule],
  controllers: [PhotoResultsController],
  providers: [CallbackSignatureGuard, ReportReplayStore],
})
export class InternalModule {}
