import { MemoryTokenBucketStorage } from './memory-token-bucket.storage';

function storage(maxKeys = 1000) {
  const clock = { now: 0 };
  let evictions = 0;
  const store = new MemoryTokenBucketStorage({ maxKeys, now: () => clock.now, onEvict: (n) => (evictions += n) });
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

  it('drops idle buckets once they are full again, without timers', () => {
    const { store, clock, evictions } = storage(1_000_000);
    for (let i = 0; i < 1000; i++) store.take(`idle-${i}`, 100, 30); // refill time 3 s
    expect(store.size).toBe(1000);
    clock.now = 3_000;
    store.take('busy', 100, 30);
    clock.now = 6_000;
    store.take('busy', 100, 30);
    expect(store.size).toBe(1);
    expect(evictions()).toBe(0);
  });

  it('never holds more than maxKeys and counts the live buckets the cap dropped', () => {
    const { store, evictions } = storage(100);
    let largest = 0;
    for (let i = 0; i < 1000; i++) {
      store.take(`c-${i}`, 1000, 2);
      largest = Math.max(largest, store.size);
    }
    expect(largest).toBeLessThanOrEqual(100);
    expect(evictions()).toBeGreaterThanOrEqual(850);
    // A dropped client starts again with a full bucket.
    expect(store.take('c-0', 1000, 2).remaining).toBe(1);
  });

  it('does not let a flood of new clients reset a client that keeps sending', () => {
    const { store } = storage(100);
    store.take('abuser', 1000, 1);
    for (let i = 0; i < 10_000; i++) {
      store.take(`spray-${i}`, 1000, 1);
      if (i % 40 === 0) expect(store.take('abuser', 1000, 1).allowed).toBe(false);
    }
  });
});
