import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { FEATURES } from './features';
import { collectFeatures } from './platform/composition';
import { embeddedDatabaseUrl } from './platform/database';

/**
 * The DataSource of the TypeORM CLI (`npm run migration:*`, on the built `dist/`): DATABASE_URL, or else the
 * embedded server `npm start` is running (its port is kept in its data folder; `npm run db:url` prints it).
 */
const url = process.env['DATABASE_URL'] || embeddedDatabaseUrl(process.env);

export default new DataSource({
  type: 'postgres',
  url,
  entities: [`${__dirname}/**/*.entity.js`],
  migrations: collectFeatures(FEATURES).migrations,
});
