/**
 * The floor for the API benchmark: bare Fastify + pg doing the same work as GET /v1/tenant
 * (find the key by prefix, check its hash, return the tenant). No framework, no validation layer.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
const app = Fastify({ logger: false });
const KEY = /^Bearer (rvl_[0-9a-f]{16})_[A-Za-z0-9_-]{43}$/;

app.get('/v1/tenant', async (request, reply) => {
  const header = request.headers.authorization ?? '';
  const match = KEY.exec(header);
  if (!match) return reply.code(401).send({ status: 401 });
  const { rows } = await pool.query(
    `SELECT k.secret_hash, k.revoked_at, t.id, t.name, t.kind, t.created_at
       FROM api_keys k JOIN tenants t ON t.id = k.tenant_id WHERE k.prefix = $1`,
    [match[1]],
  );
  const row = rows[0];
  const hash = createHash('sha256').update(header.slice(7)).digest();
  if (!row || row.revoked_at || !timingSafeEqual(hash, row.secret_hash)) return reply.code(401).send({ status: 401 });
  return { id: row.id, name: row.name, kind: row.kind, createdAt: row.created_at.toISOString() };
});

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
process.stdout.write('ready\n');
