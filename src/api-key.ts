import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { embeddedDatabaseUrl } from './platform/database';
import { ApiKeyRepository } from './platform/identity';

const USAGE = `Usage:
  npm run api-key -- create --name <name> --scopes <a,b> [--expires <ISO date>]   prints the new key once
  npm run api-key -- list                                                        id, name, scopes, state
  npm run api-key -- revoke <id>                                                 stops the key (within AUTH_API_KEY_CACHE_SECONDS)`;

const SCOPE = /^[\w:.-]{1,100}$/;

/**
 * `npm run api-key`: creates, lists and revokes API keys in the service's database (DATABASE_URL, or the embedded
 * server `npm start` runs). Only the key's SHA-256 is stored; `create` prints the key itself, once.
 */
async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: 'string' }, scopes: { type: 'string' }, expires: { type: 'string' } },
  });
  const [command, id] = positionals;
  if (!['create', 'list', 'revoke'].includes(command ?? '')) throw new UsageError();
  const client = new Client({ connectionString: process.env['DATABASE_URL'] || embeddedDatabaseUrl(process.env) });
  await client.connect();
  try {
    const keys = new ApiKeyRepository(async <R>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as R[]);
    if (command === 'create') await create(keys, values);
    else if (command === 'list') await list(keys);
    else await revoke(keys, id);
  } finally {
    await client.end();
  }
}

async function create(keys: ApiKeyRepository, values: { name?: string; scopes?: string; expires?: string }): Promise<void> {
  const name = values.name?.trim();
  if (!name || name.length > 100) throw new UsageError('--name is required (at most 100 characters)');
  const scopes = (values.scopes ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const bad = scopes.filter((s) => !SCOPE.test(s));
  if (bad.length > 0) throw new UsageError(`invalid scope(s): ${bad.join(', ')} (letters, digits, _ : . -)`);
  const expiresAt = values.expires === undefined ? undefined : new Date(values.expires);
  if (expiresAt && (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= Date.now()))
    throw new UsageError('--expires must be a future ISO date, e.g. 2027-01-31T00:00:00Z');
  const { key, record } = await keys.create(name, scopes, expiresAt);
  process.stderr.write(
    `Created API key "${record.name}" (id ${record.id}), scopes: ${scopes.join(',') || '(none)'}, expires: ${record.expiresAt?.toISOString() ?? 'never'}.\n` +
      'The key is shown once (only its hash is stored); send it as the X-API-Key header:\n',
  );
  process.stdout.write(`${key}\n`);
}

async function list(keys: ApiKeyRepository): Promise<void> {
  for (const key of await keys.list()) {
    const state = key.revokedAt ? 'revoked' : key.expiresAt && key.expiresAt.getTime() <= Date.now() ? 'expired' : 'active';
    process.stdout.write(
      `${key.id}  ${state.padEnd(7)}  ${key.name}  scopes=${key.scopes.join(',') || '-'}  expires=${key.expiresAt?.toISOString() ?? 'never'}\n`,
    );
  }
}

async function revoke(keys: ApiKeyRepository, id: string | undefined): Promise<void> {
  if (!id || !/^[0-9a-f-]{36}$/i.test(id)) throw new UsageError('revoke needs the key id (a UUID, see `list`)');
  if (!(await keys.revoke(id))) throw new UsageError(`no active key with id ${id}`);
  process.stdout.write(`Revoked ${id}; running services stop accepting it within AUTH_API_KEY_CACHE_SECONDS.\n`);
}

class UsageError extends Error {}

main(process.argv.slice(2)).catch((error: unknown) => {
  const missingTable = (error as { code?: string }).code === '42P01';
  const message =
    error instanceof UsageError
      ? `${error.message ? `${error.message}\n` : ''}${USAGE}`
      : missingTable
        ? 'The api_keys table does not exist yet: start the service once (it runs the migrations), then try again.'
        : `api-key: ${error instanceof Error ? error.message : String(error)}`;
  process.stderr.write(`${message}\n`);
  process.exitCode = 1;
});
