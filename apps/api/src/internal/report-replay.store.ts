import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { asSystem, rowsOf } from '#database';
import { SIGNATURE_TOLERANCE_SECONDS } from '#signing';

/** Ids are kept for both sides of the tolerance window, so none can come back while its signature is valid. */
const KEEP_SECONDS = 2 * SIGNATURE_TOLERANCE_SECONDS + 60;
const SWEEP_EVERY_MS = 60_000;

/**
 * The replay store of the Lambda's reports: each report id is accepted once. It lives in
 * PostgreSQL, so several API processes share it.
 */
@Injectable()
export class ReportReplayStore implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ReportReplayStore.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () => void this.sweep().catch((err: unknown) => this.logger.warn({ err }, 'report id sweep failed')),
      SWEEP_EVERY_MS,
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** True the first time an id is presented, false ever after (within the window). */
  async accept(reportId: string): Promise<boolean> {
    const rows: unknown = await asSystem('callback replay store', () =>
      this.db.query(`INSERT INTO callback_reports (report_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING report_id`, [reportId]),
    );
    return rowsOf(rows).length === 1;
  }

  async sweep(): Promise<number> {
    const rows: unknown = await asSystem('callback replay store', () =>
      this.db.query(`DELETE FROM callback_reports WHERE received_at < now() - make_interval(secs => $1) RETURNING report_id`, [
        KEEP_SECONDS,
      ]),
    );
    return rowsOf(rows).length;
  }
}
