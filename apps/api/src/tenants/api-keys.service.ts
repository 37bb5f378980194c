import { Injectable, Logger } from '@nestjs/common';
import { type ApiKeyScope, type AuthenticatedTenant, type TenantContext, withTenant } from '#database';
import { type PageRequest, toPage } from '../common/pagination.js';
import { problems } from '../common/problem.js';
import { apiKeyMatches, apiKeyPrefix, issueApiKey } from './api-key-token.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import type { ApiKeyDto, ApiKeyPageDto, IssuedApiKeyDto } from './dto/tenant.dto.js';
import { toApiKeyDto } from './tenant.mapper.js';

/** lastUsedAt is informative; writing it on every request would double the cost of a read. */
const LAST_USED_RESOLUTION_MS = 60_000;

const DEFAULT_SCOPES: ApiKeyScope[] = ['read', 'write'];

@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);

  constructor(private readonly keys: ApiKeysRepository) {}

  /** The tenant behind a bearer token, or undefined for unknown, malformed or revoked keys. */
  async authenticate(token: string): Promise<AuthenticatedTenant | undefined> {
    const prefix = apiKeyPrefix(token);
    if (!prefix) return undefined;
    const owner = await this.keys.findOwnerByPrefix(prefix);
    if (!owner || owner.revoked || !apiKeyMatches(token, owner.secretHash)) return undefined;
    const now = new Date();
    if (owner.expiresAt && owner.expiresAt.getTime() <= now.getTime()) return undefined;
    if (!owner.lastUsedAt || now.getTime() - owner.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      // Authentication runs before the request's tenant scope: this write names the key's tenant itself.
      withTenant(owner.tenantId, () => this.keys.touch(owner.keyId, now)).catch((err: unknown) =>
        this.logger.warn({ err }, 'could not record key use'),
      );
    }
    return {
      tenantId: owner.tenantId,
      kind: owner.kind,
      apiKeyId: owner.keyId,
      apiKeyPrefix: prefix,
      name: owner.tenantName,
      createdAt: owner.tenantCreatedAt,
      scopes: owner.scopes,
      suspended: owner.tenantSuspended,
    };
  }

  /** A new key; without scopes it may read and write but not manage keys. */
  async create(ctx: TenantContext, input: { name: string; scopes?: ApiKeyScope[]; expiresAt?: string }): Promise<IssuedApiKeyDto> {
    const expiresAt = input.expiresAt === undefined ? null : new Date(input.expiresAt);
    if (expiresAt && expiresAt.getTime() <= Date.now()) {
      throw problems.validation([{ field: 'expiresAt', message: 'must be in the future' }]);
    }
    const issued = issueApiKey();
    const scopes = input.scopes ? [...new Set(input.scopes)] : DEFAULT_SCOPES;
    const entity = await this.keys.create(ctx, input.name, issued, { scopes, expiresAt });
    return { ...toApiKeyDto(entity), key: issued.key };
  }

  async list(ctx: TenantContext, page: PageRequest): Promise<ApiKeyPageDto> {
    const rows = await this.keys.list(ctx, page.limit + 1, page.after);
    return toPage(rows, page, toApiKeyDto);
  }

  async revoke(ctx: TenantContext, id: string): Promise<ApiKeyDto> {
    const existing = await this.keys.findOne(ctx, id);
    if (!existing) throw problems.notFound('API key');
    await this.keys.revoke(ctx, id, new Date());
    const revoked = await this.keys.findOne(ctx, id);
    return toApiKeyDto(revoked ?? existing);
  }
}
