import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { rowsOf } from '#database';

/** The advisory lock key of the capacity pass ('REVL'), the same in every API instance. */
const CAPACITY_LOCK = 1_380_275_788;

/**
 * Makes the capacity pass cluster-wide exclusive: a PostgreSQL transaction-level advisory lock,
 * released by the commit (or by PostgreSQL if the instance dies), so no instance can keep it. With
 * it, two API instances never count the same free slot twice: workers are registered and launched
 * under the lock, and the next holder sees them.
 */
@Injectable()
export class CapacityLock {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Runs `pass` holding the lock. `wait`: queue behind the instance that holds it (a submit must
   * be seen by a pass that starts after it); otherwise skip when it is held (the periodic pass:
   * another instance is doing it). Answers whether the pass ran.
   */
  async run(pass: () => Promise<void>, wait: boolean): Promise<boolean> {
    return this.db.transaction(async (manager) => {
      if (wait) {
        await manager.query('SELECT pg_advisory_xact_lock($1)', [CAPACITY_LOCK]);
      } else {
        const [row] = rowsOf(await manager.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [CAPACITY_LOCK]));
        if (!row?.locked) return false;
      }
      await pass();
      return true;
    });
  }
}
