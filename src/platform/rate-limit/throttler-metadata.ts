import { Logger } from '@nestjs/common';
import { SkipThrottle, Throttle } from '@nestjs/throttler';

/** The metadata keys @nestjs/throttler's decorators write, each followed by the throttler's name. */
export interface ThrottlerMetadataKeys {
  limit: string;
  ttl: string;
  blockDuration: string;
  tracker: string;
  keyGenerator: string;
  skip: string;
}

/**
 * PRIVATE INTERNALS of @nestjs/throttler, read here alone. The guard resolves a route's policies once per route
 * (rate-limit.guard.ts) and so reads `@Throttle`/`@SkipThrottle` metadata itself; the keys are not exported
 * from the package root, only from `dist/throttler.constants`. Rather than import that file, the keys are
 * learnt from the public decorators: they are applied to a probe class with distinct values and the keys that
 * carry them are found. When a release writes metadata another way, the keys of throttler 6 are used, a boot
 * warning says so, and throttler-metadata.spec.ts fails on that release.
 */
const THROTTLER_6_KEYS: ThrottlerMetadataKeys = {
  limit: 'THROTTLER:LIMIT',
  ttl: 'THROTTLER:TTL',
  blockDuration: 'THROTTLER:BLOCK_DURATION',
  tracker: 'THROTTLER:TRACKER',
  keyGenerator: 'THROTTLER:KEY_GENERATOR',
  skip: 'THROTTLER:SKIP',
};

const PROBE = 'ballast-metadata-probe';

/** The keys learnt from the installed throttler, or undefined when its decorators write metadata differently. */
export function learnThrottlerMetadataKeys(): ThrottlerMetadataKeys | undefined {
  class Probe {}
  const tracker = () => 'probe';
  const keyGenerator = () => 'probe';
  Throttle({ [PROBE]: { limit: 7, ttl: 11, blockDuration: 13, getTracker: tracker, generateKey: keyGenerator } })(Probe);
  SkipThrottle({ [PROBE]: true })(Probe);
  const keys = Reflect.getOwnMetadataKeys(Probe).filter((key): key is string => typeof key === 'string' && key.endsWith(PROBE));
  const keyOf = (value: unknown) => {
    const found = keys.filter((key) => Reflect.getOwnMetadata(key, Probe) === value);
    return found.length === 1 ? found[0].slice(0, -PROBE.length) : undefined;
  };
  const learnt = {
    limit: keyOf(7),
    ttl: keyOf(11),
    blockDuration: keyOf(13),
    tracker: keyOf(tracker),
    keyGenerator: keyOf(keyGenerator),
    skip: keyOf(true),
  };
  return Object.values(learnt).every((key) => key !== undefined) ? (learnt as ThrottlerMetadataKeys) : undefined;
}

let cached: ThrottlerMetadataKeys | undefined;

/** The throttler's metadata keys; learnt once, throttler 6's with a warning when they cannot be learnt. */
export function throttlerMetadataKeys(): ThrottlerMetadataKeys {
  if (cached) return cached;
  const learnt = learnThrottlerMetadataKeys();
  if (!learnt)
    new Logger('RateLimit').warn(
      "cannot learn @nestjs/throttler's metadata keys from its decorators: using throttler 6's; @Throttle/@SkipThrottle on routes may be ignored",
    );
  cached = learnt ?? THROTTLER_6_KEYS;
  return cached;
}
