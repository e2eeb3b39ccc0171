import { DataSource, EntitySchema } from 'typeorm';
import { adoptTransaction, endAdoptedTransaction } from './adopted-transaction';

const url = process.env['TEST_DATABASE_URL'] ?? process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const Probe = new EntitySchema<{ id: number; tag: string }>({
  name: 'adopted_transaction_probe',
  columns: { id: { type: Number, primary: true, generated: true }, tag: { type: String } },
});

describe('TypeORM query runner contract (adopted-transaction.ts)', () => {
  it('manager.save on an adopted transaction starts none of its own: a raw ROLLBACK undoes it (fails on the TypeORM release that changes this)', async () => {
    const dataSource = new DataSource({ type: 'postgres', url, poolSize: 2, entities: [Probe] });
    await dataSource.initialize();
    const statements: string[] = [];
    try {
      await dataSource.query(`CREATE TABLE IF NOT EXISTS adopted_transaction_probe (id serial PRIMARY KEY, tag text NOT NULL)`);
      const runner = dataSource.createQueryRunner();
      const client = (await runner.connect()) as { query: (text: string) => Promise<unknown> };
      const query = runner.query.bind(runner);
      runner.query = ((text: string, ...rest: unknown[]) => (statements.push(text), query(text, ...(rest as [])))) as typeof runner.query;
      await client.query('START TRANSACTION');
      adoptTransaction(runner);
      await runner.manager.save(Probe, { tag: 'adopted' });
      await client.query('ROLLBACK');
      endAdoptedTransaction(runner);
      await runner.release();
      expect(statements.some((s) => /^(START TRANSACTION|BEGIN|COMMIT)/i.test(s))).toBe(false);
      const rows = await dataSource.query<unknown[]>(`SELECT 1 FROM adopted_transaction_probe WHERE tag = 'adopted'`);
      expect(rows).toHaveLength(0);
    } finally {
      await dataSource.query(`DROP TABLE IF EXISTS adopted_transaction_probe`);
      await dataSource.destroy();
    }
  });
});
