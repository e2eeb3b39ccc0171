import { API_KEYS_TABLE } from './identity.constants';
import { generateApiKey, hashApiKey } from './api-key';

/** Runs one SQL statement: the app's DataSource or the CLI's own connection. */
export type RunQuery = <R>(sql: string, params?: unknown[]) => Promise<R[]>;

/** An API key as listed (never its hash). */
export interface ApiKeyRecord {
  id: string;
  name: string;
  scopes: string[];
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

interface Row {
  id: string;
  name: string;
  scopes: string[];
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
}

const T = `"${API_KEYS_TABLE}"`;
const COLUMNS = `"id", "name", "scopes", "created_at", "expires_at", "revoked_at"`;

function toRecord(row: Row): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

/** The SQL of the API key table, shared by the service (lookups) and the `api-key` command (create, list, revoke). */
export class ApiKeyRepository {
  constructor(private readonly run: RunQuery) {}

  /** Creates a key; the returned `key` is the only time it exists outside the caller's hands. */
  async create(name: string, scopes: string[], expiresAt?: Date): Promise<{ key: string; record: ApiKeyRecord }> {
    const key = generateApiKey();
    const [row] = await this.run<Row>(
      `INSERT INTO ${T} ("name", "key_hash", "scopes", "expires_at") VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
      [name, hashApiKey(key), scopes, expiresAt ?? null],
    );
    return { key, record: toRecord(row) };
  }

  /** Every key, newest first. */
  async list(): Promise<ApiKeyRecord[]> {
    return (await this.run<Row>(`SELECT ${COLUMNS} FROM ${T} ORDER BY "created_at" DESC`)).map(toRecord);
  }

  /** Revokes a key by id; false when no such key was active. */
  async revoke(id: string): Promise<boolean> {
    const rows = await this.run<{ id: string }>(
      `UPDATE ${T} SET "revoked_at" = now() WHERE "id" = $1 AND "revoked_at" IS NULL RETURNING "id"`,
      [id],
    );
    return rows.length > 0;
  }

  /** The active (not revoked, not expired) key with this hash, or undefined. */
  async findActive(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const [row] = await this.run<Row>(
      `SELECT ${COLUMNS} FROM ${T} WHERE "key_hash" = $1 AND "revoked_at" IS NULL AND ("expires_at" IS NULL OR "expires_at" > now())`,
      [keyHash],
    );
    return row ? toRecord(row) : undefined;
  }
}
