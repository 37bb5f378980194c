import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { asSystem } from '#database';
import { problems } from '../common/problem.js';
import { TenantDeletionRepository } from './tenant-deletion.repository.js';
import { TenantStorage } from './tenant-storage.js';

/**
 * Deleting a tenant with all its rows and objects, S3 first:
 * 1. mark it `deleting` (its keys answer 401, its work is no longer claimed);
 * 2. abort its multipart uploads and delete every object under `tenants/{id}/`;
 * 3. delete its rows in one transaction, with the platform's audit event;
 * 4. sweep the prefix once more for objects that landed meanwhile.
 * Every step is idempotent: a repeated DELETE, or the next start of the API, finishes a deletion
 * that was interrupted at any point.
 */
@Injectable()
export class TenantDeletionService implements OnApplicationBootstrap {
  private readonly logger = new Logger(TenantDeletionService.name);

  constructor(
    private readonly rows: TenantDeletionRepository,
    private readonly storage: TenantStorage,
  ) {}

  /** Deletes the tenant, or finishes its deletion; a tenant already deleted is fine, an unknown one is 404. */
  async delete(tenantId: string): Promise<void> {
    if (!(await this.rows.markDeleting(tenantId))) {
      if (!(await this.rows.wasDeleted(tenantId))) throw problems.notFound('Tenant');
      await this.storage.purge(tenantId, []); // a repeated DELETE also sweeps objects that landed late
      return;
    }
    await this.finish(tenantId);
  }

  /** Steps 2 and 3, for a tenant already marked. */
  async finish(tenantId: string): Promise<void> {
    const purged = await this.storage.purge(tenantId, await this.rows.knownUploads(tenantId));
    await this.rows.deleteRows(tenantId, purged);
    // Objects written while the rows were being deleted (a thumbnail Lambda's renditions, a worker's
    // outputs already in flight): once no row is left, nothing can be issued a new target, so a
    // second pass catches them. A presigned PUT issued before the mark stays valid for its TTL.
    await this.storage.purge(tenantId, []);
  }

  /** Deletions interrupted by a stop are finished in the background after start. */
  onApplicationBootstrap(): void {
    void asSystem('tenant deletion: resume after start', async () => {
      for (const tenantId of await this.rows.unfinished()) {
        await this.finish(tenantId);
        this.logger.log({ tenantId }, 'finished an interrupted tenant deletion');
      }
    }).catch((err: unknown) => this.logger.warn({ err }, 'could not finish an interrupted tenant deletion; a repeated DELETE will'));
  }
}
