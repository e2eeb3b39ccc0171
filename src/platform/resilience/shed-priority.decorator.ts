import { SetMetadata } from '@nestjs/common';

/** How readily a route is shed: `low` goes first (background, batch, prefetch); `normal` is the default. */
export type ShedPriorityLevel = 'low' | 'normal';

/** Metadata key written by {@link ShedPriority}, read once at start by the edge's route map. */
export const SHED_PRIORITY_METADATA = 'ballast:resilience:shed-priority';

/**
 * Marks a handler or a whole controller as shed first: it is refused under pressure from SHED_LOW_PRIORITY_PERCENT
 * of a threshold, and near the concurrency limit once that share of the limit is in flight.
 * `@ShedPriority('low')` on a method overrides the controller's level and vice versa for `'normal'`.
 */
export const ShedPriority = (level: ShedPriorityLevel) => SetMetadata(SHED_PRIORITY_METADATA, level);
