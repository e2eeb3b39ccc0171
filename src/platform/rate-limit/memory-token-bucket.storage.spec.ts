import { MemoryTokenBucketStorage } from './memory-token-bucket.storage';

function storage(maxKeys = 1000) {
  const clock = { now: 0 };
  let evictions = 0;
  const store = new MemoryTokenBucketStorage({ maxKeys, now: () => clock.now, onEvict: () => evictions++ });
  return { store, clock, evictions: () => evictions };
}

describe(MemoryTokenBucketStorage.name, () => {
  it('maps the token bucket onto the throttler record: limit = burst, ttl = time to refill it', async () => {
    const { store } = storage();
    const records = [];
    for (let i = 0; i < 4; i++) records.push(await store.increment('c', 3000, 3));
    expect(records.map((r) => [r.totalHits, r.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [3, true],
    ]);
    expect(records[2]).toMatchObject({ timeToExpire: 3 });
    expect(records[3]).toMatchObject({ timeToBlockExpire: 1 });
  });

  it('keeps clients apart', async () => {
    const { store } = storage();
    await store.increment('a', 1000, 1);
    expect((await store.increment('a', 1000, 1)).isBlocked).toBe(true);
    expect((await store.increment('b', 1000, 1)).isBlocked).toBe(false);
  });

  it('drops idle buckets as traffic flows, without timers', () => {
    const { store, clock } = storage(1_000_000);
    for (let i = 0; i < 1000; i++) store.take(`idle-${i}`, 100, 30);
    expect(store.size).toBe(1000);
    clock.now = 10_000; // every bucket is full again
    for (let i = 0; i < 600; i++) store.take('busy', 100, 30);
    expect(store.size).toBe(1);
  });

  it('never holds more than maxKeys, dropping the least recently seen client first', () => {
    const { store, evictions } = storage(100);
    for (let i = 0; i < 100; i++) store.take(`c-${i}`, 1000, 2);
    store.take('c-0', 1000, 2); // c-0 is now the most recent
    for (let i = 0; i < 50; i++) store.take(`new-${i}`, 1000, 2);
    expect(store.size).toBe(100);
    expect(evictions()).toBe(50);
    // c-0 kept its state (one token left, then refused); c-1 was dropped and starts full again.
    expect(store.take('c-0', 1000, 2).allowed).toBe(false);
    expect(store.take('c-1', 1000, 2).remaining).toBe(1);
  });

  it('does not let a flood of new clients reset a client that keeps sending', () => {
    const { store } = storage(100);
    store.take('abuser', 1000, 1);
    for (let i = 0; i < 10_000; i++) {
      store.take(`spray-${i}`, 1000, 1);
      if (i % 50 === 0) expect(store.take('abuser', 1000, 1).allowed).toBe(false);
    }
  });
});
