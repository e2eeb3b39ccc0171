import { heapSnapshotRefusal } from './diagnostics.service';

describe(heapSnapshotRefusal.name, () => {
  const MiB = 1048576;

  it('lets a snapshot through while the heap in use is at most half its limit', () => {
    expect(heapSnapshotRefusal({ used_heap_size: 100 * MiB, heap_size_limit: 384 * MiB })).toBeUndefined();
    expect(heapSnapshotRefusal({ used_heap_size: 192 * MiB, heap_size_limit: 384 * MiB })).toBeUndefined();
  });

  it('refuses beyond, saying how full the heap is and how to force it', () => {
    expect(heapSnapshotRefusal({ used_heap_size: 300 * MiB, heap_size_limit: 384 * MiB })).toMatch(
      /^the heap uses 300 MiB of its 384 MiB limit \(78 %, over 50 %\).*\?force=true/,
    );
  });
});
