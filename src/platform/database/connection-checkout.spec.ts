import { DataSource } from 'typeorm';
import { type Checkout, driverPool, guardConnectionCheckouts } from './connection-checkout';

const url = process.env['TEST_DATABASE_URL'] ?? process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

describe('TypeORM postgres driver internals (connection-checkout.ts)', () => {
  it('every query takes its connection through the guarded checkout, and the pool is readable (fails on the TypeORM release that changes them)', async () => {
    const dataSource = new DataSource({ type: 'postgres', url, poolSize: 1 });
    const checkouts: Checkout[] = [];
    guardConnectionCheckouts(dataSource, async (obtain) => {
      const checkout = await obtain();
      checkouts.push(checkout);
      return checkout;
    });
    expect(driverPool(dataSource)).toBeUndefined();
    await dataSource.initialize();
    try {
      const before = checkouts.length;
      await dataSource.query('SELECT 1');
      await dataSource.transaction((manager) => manager.query('SELECT 2'));
      expect(checkouts.length - before).toBe(2);
      expect(driverPool(dataSource)?.totalCount).toBeGreaterThanOrEqual(1);
    } finally {
      await dataSource.destroy();
    }
  });
});
