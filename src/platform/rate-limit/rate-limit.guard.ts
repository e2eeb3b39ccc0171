import { ConfigService } from '@nestjs/config';
import type { AllConfig } from '../../config/app-config';
import { type ExecutionContext, Injectable } from '@nestjs/common';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  normalizeIp,
  ThrottlerGuard,
  type ThrottlerGenerateKeyFunction,
  type ThrottlerGetTrackerFunction,
  type ThrottlerModuleOptions,
  type ThrottlerOptions,
  type ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Counter } from 'prom-client';
import { METRIC } from '../observability/metrics.constants';
import { clientIpOf } from '../request-context/request-context';
import { CachedReflector } from './cached-reflector';
import { DEFAULT_POLICY, RATE_LIMIT_KEY_METADATA } from './rate-limit.constants';
import { ExemptPaths } from '../resilience';
import type { RateLimitKeyFn } from './rate-limit.decorator';
import { appendItem, limitItem, policyItem } from './rate-limit-headers';
import { throttlerMetadataKeys } from './throttler-metadata';
import { RateLimitedError } from './rate-limited.error';

/**
 * @nestjs/throttler's guard with token-bucket semantics and standard signalling. It keeps the stock
 * decorators (`@Throttle`, `@SkipThrottle`), named throttlers and the storage contract, and changes:
 * - keys: per client across the whole API (`default:ip:203.0.113.7`), not per route; a route-level
 *   `@Throttle` override gets its own bucket; `@RateLimitKey(fn)` keys by API key, user id…;
 * - headers: IETF `RateLimit-Policy` / `RateLimit` instead of the legacy `X-RateLimit-*`;
 * - refusal: a 429 problem+json (`RateLimitedError`) with `Retry-After`, counted in
 *   `http_requests_rejected_total{reason="rate_limit"}`;
 * - exemptions: health and metrics paths are never limited.
 * `handleRequest` is overridden whole because the stock one writes the legacy headers and throws a bare
 * HttpException; the counting itself is the storage's (`increment()` takes one token). Route metadata
 * lookups go through a {@link CachedReflector}.
 */
/** One named policy as it applies to one route. */
interface RouteStep {
  throttler: ThrottlerOptions;
  skip: boolean;
  limit: number;
  ttl: number;
  blockDuration: number;
  getTracker: ThrottlerGetTrackerFunction;
  generateKey: ThrottlerGenerateKeyFunction;
}
type RoutePlan = RouteStep[];
/** What Nest's ExecutionContext gives as the route's handler and class (the metadata targets). */
type RouteHandler = ReturnType<ExecutionContext['getHandler']>;
type RouteClass = ReturnType<ExecutionContext['getClass']>;

@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  /** PROTECTIONS_DISABLED=rate_limit: every request passes (bench, emergencies). */
  private readonly disabled: boolean;
  /** Read at construction: a boot-time warning when the throttler's metadata keys cannot be learnt. */
  private readonly metadataKeys = throttlerMetadataKeys();

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    @InjectMetric(METRIC.httpRequestsRejected) private readonly rejected: Counter<string>,
    config: ConfigService<AllConfig, true>,
    private readonly exemptPaths: ExemptPaths,
  ) {
    super(options, storage, new CachedReflector());
    this.disabled = config.get('protections.disabled', { infer: true }).includes('rate_limit');
  }

  /**
   * The stock `canActivate`, with each route's decorator metadata read once instead of on every request (per
   * named policy: skip flag, limit, ttl, block duration, tracker, key generator — six lookups and three awaits
   * each). Routes whose limit, ttl or block duration is a function of the request keep the stock path.
   */
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (await this.shouldSkip(context)) return true;
    const plan = this.planOf(context.getHandler(), context.getClass());
    if (!plan) return super.canActivate(context);
    let pass = true;
    for (const step of plan) {
      if (step.skip) continue;
      const skipIf = step.throttler.skipIf ?? this.commonOptions.skipIf;
      if (skipIf?.(context)) continue;
      if (!(await this.handleRequest({ context, ...step }))) pass = false;
    }
    return pass;
  }

  private readonly plans = new WeakMap<RouteHandler, WeakMap<RouteClass, RoutePlan | null>>();

  /** The route's resolved policies, or null when one depends on the request (then the stock path runs). */
  private planOf(handler: RouteHandler, classRef: RouteClass): RoutePlan | null {
    let byClass = this.plans.get(handler);
    if (!byClass) this.plans.set(handler, (byClass = new WeakMap()));
    let plan = byClass.get(classRef);
    if (plan !== undefined) return plan;
    plan = [];
    const targets = [handler, classRef];
    const keys = this.metadataKeys;
    const meta = <T>(key: string, name: string): T | undefined => this.reflector.getAllAndOverride<T | undefined>(key + name, targets);
    for (const throttler of this.throttlers) {
      const name = throttler.name ?? DEFAULT_POLICY;
      const limit = meta<ThrottlerOptions['limit']>(keys.limit, name) ?? throttler.limit;
      const ttl = meta<ThrottlerOptions['ttl']>(keys.ttl, name) ?? throttler.ttl;
      const blockDuration = meta<ThrottlerOptions['blockDuration']>(keys.blockDuration, name) ?? throttler.blockDuration ?? ttl;
      if (typeof limit !== 'number' || typeof ttl !== 'number' || typeof blockDuration !== 'number') {
        plan = null;
        break;
      }
      plan.push({
        throttler,
        skip: meta<boolean>(keys.skip, name) === true,
        limit,
        ttl,
        blockDuration,
        getTracker:
          meta<ThrottlerGetTrackerFunction>(keys.tracker, name) ??
          throttler.getTracker ??
          (this.commonOptions.getTracker as ThrottlerGetTrackerFunction),
        generateKey:
          meta<ThrottlerGenerateKeyFunction>(keys.keyGenerator, name) ??
          throttler.generateKey ??
          (this.commonOptions.generateKey as ThrottlerGenerateKeyFunction),
      });
    }
    byClass.set(classRef, plan);
    return plan;
  }

  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (this.disabled || context.getType() !== 'http') return Promise.resolve(true);
    const req = context.switchToHttp().getRequest<IncomingMessage & { originalUrl?: string }>();
    return Promise.resolve(this.exemptPaths.matches(req.originalUrl ?? req.url ?? '/'));
  }

  /** The client: `@RateLimitKey`'s value when the route has one and it returns something, else the IP (IPv6 by /64). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- ThrottlerGuard's signature
  protected override async getTracker(req: Record<string, any>, context?: ExecutionContext): Promise<string> {
    if (context) {
      const keyFn = this.reflector.getAllAndOverride<RateLimitKeyFn | undefined>(RATE_LIMIT_KEY_METADATA, [
        context.getHandler(),
        context.getClass(),
      ]);
      const value = keyFn ? await keyFn(req, context) : undefined;
      // Hashed: the value may be an API key, and keys are visible in Redis and in memory dumps.
      if (value) return `key:${createHash('sha256').update(String(value)).digest('base64url').slice(0, 22)}`;
    }
    return `ip:${normalizeIp(clientIpOf(req as IncomingMessage) ?? '', this.ipv6SubnetPrefix)}`;
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${name}:${tracker}`;
  }

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl, throttler, blockDuration, getTracker, generateKey } = props;
    const name = throttler.name ?? DEFAULT_POLICY;
    const { req, res } = this.getRequestResponse(context) as { req: Record<string, unknown>; res: ServerResponse };
    const tracker = await getTracker(req, context);
    // A route that overrides a policy's numbers gets its own bucket: sharing one bucket between
    // different burst sizes would let each route drain the other's.
    const routeScoped = limit !== throttler.limit || ttl !== throttler.ttl;
    const key = generateKey(context, routeScoped ? `${context.getClass().name}.${context.getHandler().name}|${tracker}` : tracker, name);
    const record = await this.storageService.increment(key, ttl, limit, blockDuration, name);
    const policyHeader = appendItem(res.getHeader('RateLimit-Policy'), policyItem(name, limit, ttl));
    if (record.isBlocked) {
      const retryAfter = Math.max(1, record.timeToBlockExpire);
      this.rejected.inc({ reason: 'rate_limit' });
      throw new RateLimitedError(retryAfter, {
        'RateLimit-Policy': policyHeader,
        RateLimit: appendItem(res.getHeader('RateLimit'), limitItem(name, 0, retryAfter)),
      });
    }
    res.setHeader('RateLimit-Policy', policyHeader);
    res.setHeader('RateLimit', appendItem(res.getHeader('RateLimit'), limitItem(name, limit - record.totalHits, record.timeToExpire)));
    return true;
  }
}
