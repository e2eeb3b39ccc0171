import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { migrations } from './migrations';

/**
 * The DataSource of the TypeORM CLI (`npm run migration:*`, on the built `dist/`). Needs DATABASE_URL;
 * `npm start` logs the embedded server's URL when it runs one.
 */
const url = process.env['DATABASE_URL'];
if (!url) throw new Error('DATABASE_URL must be set for the TypeORM CLI (npm start logs the embedded URL).');

export default new DataSource({
  type: 'postgres',
  url,
  entities: [`${__dirname}/**/*.entity.js`],
  migrations,
});
