import { embeddedDatabaseUrl } from './platform/database';

/**
 * `npm run db:url`: prints the database URL the TypeORM CLI uses (DATABASE_URL, or the embedded server's
 * with user, password, port and database), for psql, a GUI, or `DATABASE_URL=$(npm run -s db:url)`.
 */
try {
  process.stdout.write(`${process.env['DATABASE_URL'] || embeddedDatabaseUrl(process.env)}\n`);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 1;
}
