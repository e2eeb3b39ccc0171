import { type ExecutionContext, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { ThrottlerModuleOptions, ThrottlerOptionsFactory, ThrottlerStorage } from '@nestjs/throttler';
import type { AllConfig } from '../../config/app-config';
import { CachedReflector } from './cached-reflector';
import {
  DEFAULT_POLICY,
  InjectRateLimitStorage,
  RATE_LIMIT_POLICY_METADATA,
  STRICT_POLICY,
  STRICT_POLICY_DIVISOR,
} from './rate-limit.constants';
import { tokenBucket } from './rate-limit.decorator';

/**
 * @nestjs/throttler options from the configuration: the named policies (as token buckets: `limit` = burst,
 * `ttl` = time to refill it) and the token-bucket storage. Add a team's own named policies here.
 */
@Injectable()
export class RateLimitOptionsService implements ThrottlerOptionsFactory {
  private readonly reflector = new CachedReflector();

  constructor(
    private readonly config: ConfigService<AllConfig, true>,
    @InjectRateLimitStorage() private readonly storage: ThrottlerStorage,
  ) {}

  createThrottlerOptions(): ThrottlerModuleOptions {
    const { perSecond, burst } = this.config.get('rateLimit', { infer: true });
    const strictBurst = Math.max(1, Math.round(burst / STRICT_POLICY_DIVISOR));
    return {
      storage: this.storage,
      throttlers: [
        { name: DEFAULT_POLICY, ...tokenBucket({ burst, perSecond }) },
        {
          name: STRICT_POLICY,
          ...tokenBucket({ burst: strictBurst, perSecond: perSecond / STRICT_POLICY_DIVISOR }),
          skipIf: (context) => !this.routeUses(context, STRICT_POLICY),
        },
      ],
    };
  }

  /** Opt-in policies apply only where `@RateLimitPolicy(name)` names them. */
  private routeUses(context: ExecutionContext, name: string): boolean {
    const names = this.reflector.getAllAndOverride(RATE_LIMIT_POLICY_METADATA, [context.getHandler(), context.getClass()]) as
      string[] | undefined;
    return names?.includes(name) ?? false;
  }
}
