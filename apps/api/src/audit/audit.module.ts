import { Module } from '@nestjs/common';
import { AuditEventsController } from './audit-events.controller.js';
import { AuditEventsRepository } from './audit-events.repository.js';
import { AuditEventsService } from './audit-events.service.js';

/** Reading the audit log; events are written by the acting features with recordAuditEvent. */
@Module({
  controllers: [AuditEventsController],
  providers: [AuditEventsRepository, AuditEventsService],
})
export class AuditModule {}
