import { ConfigService } from '@nestjs/config';
import type { AllConfig } from '../../config/app-config';
import { type ExecutionContext, Injectable } from '@nestjs/common';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
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
import { clientKeyOf } from '../request-context/request-context';
import { CachedReflector } from './cached-reflector';
import { DEFAULT_POLICY, RATE_LIMIT_KEY_METADATA } from './rate-limit.constants';
import { ExemptPaths } from '../resilience';
import type { RateLimitKeyFn } from './rate-limit.decorator';
import { appendItem, limitItem, policyItem } from './rate-limit-headers';
import { throttlerMetadataKeys } from './throttler-metadata';
import { RateLimitedError } from './rate-limited.error';
import { MemoryTokenBucketStorage, type ThrottlerStorageRecord, toThrottlerRecord } from './memory-token-bucket.storage';

/**
 * @nestjs/throttler's guard with token-bucket semantics and standard signalling. It keeps the stock
 * decorators (`@Throttle`, `@SkipThrottle`), named throttlers and the storage contract, and changes:
 * - keys: per client across the whole API (`default:principal:key:…` when authenticated, else
 *   `default:ip:203.0.113.7`), not per route; a route-level
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
  name: string;
  skip: boolean;
  limit: number;
  ttl: number;
  blockDuration: number;
  getTracker: ThrottlerGetTrackerFunction;
  generateKey: ThrottlerGenerateKeyFunction;
  /** The route's own bucket prefix (`Class.handler|`) when it overrides the policy's numbers, else ''. */
  scope: string;
  /** This step's `RateLimit-Policy` item, the same on every request. */
  policyItem: string;
}
/** A route's policies, resolved once; `sync`: every step can be decided without a promise (see canActivate). */
interface RoutePlan {
  steps: RouteStep[];
  sync: boolean;
}
/** What Nest's ExecutionContext gives as the route's handler and class (the metadata targets). */
type RouteHandler = ReturnType<ExecutionContext['getHandler']>;
type RouteClass = ReturnType<ExecutionContext['getClass']>;

/**
 * A passing guard's answer without a promise. ThrottlerGuard types `canActivate` as `Promise<boolean>`, but Nest's
 * CanActivate contract (and GuardsConsumer) takes `boolean | Promise<boolean> | Observable<boolean>`, and checks
 * for a boolean before awaiting: the cast keeps the override's declared type while skipping a promise per request.
 */
const PASS = true as unknown as Promise<boolean>;

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

  /** The stock tracker and key generator (bound by ThrottlerGuard.onModuleInit), unless the options set their own. */
  private defaultTracker: ThrottlerGetTrackerFunction | undefined;
  private defaultKeyGenerator: ThrottlerGenerateKeyFunction | undefined;
  /** The in-process store, when it is the storage: its decisions need no promise. */
  private memoryStorage: MemoryTokenBucketStorage | undefined;

  override async onModuleInit(): Promise<void> {
    await super.onModuleInit();
    const options = Array.isArray(this.options) ? undefined : this.options;
    this.defaultTracker = options?.getTracker ? undefined : (this.commonOptions.getTracker as ThrottlerGetTrackerFunction);
    this.defaultKeyGenerator = options?.generateKey ? undefined : this.commonOptions.generateKey;
    this.memoryStorage = this.storageService instanceof MemoryTokenBucketStorage ? this.storageService : undefined;
  }

  /**
   * The stock `canActivate`, with each route's decorator metadata read once instead of on every request (per
   * named policy: skip flag, limit, ttl, block duration, tracker, key generator — six lookups and three awaits
   * each). Routes whose limit, ttl or block duration is a function of the request keep the stock path.
   * With the in-process store and the stock tracker (no `@RateLimitKey`, no custom `getTracker`/`generateKey`)
   * the decision is synchronous: a boolean, no promise chain (Nest takes a guard's boolean as it is). Redis,
   * key functions and custom trackers go through the promise path, with the same keys, headers and refusals.
   */
  override canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.skips(context)) return PASS;
    const http = context.switchToHttp();
    const plan = this.planOf(context.getHandler(), context.getClass());
    if (!plan) return super.canActivate(context);
    const storage = this.memoryStorage;
    if (!plan.sync || !storage) return this.activateAsync(context, plan);
    const req = http.getRequest<IncomingMessage>();
    const res = http.getResponse<ServerResponse>();
    let tracker: string | undefined;
    for (const step of plan.steps) {
      if (!this.applies(step, context)) continue;
      tracker ??= clientKeyOf(req);
      const decision = storage.take(`${step.name}:${step.scope}${tracker}`, step.ttl / step.limit, step.limit);
      this.answer(res, step, toThrottlerRecord(decision, step.limit));
    }
    return PASS;
  }

  private async activateAsync(context: ExecutionContext, plan: RoutePlan): Promise<boolean> {
    for (const step of plan.steps) if (this.applies(step, context)) await this.decide(context, step);
    return true;
  }

  /** Whether a policy counts for this request: not skipped on the route (`@SkipThrottle`), not by `skipIf`. */
  private applies(step: RouteStep, context: ExecutionContext): boolean {
    if (step.skip) return false;
    const skipIf = step.throttler.skipIf ?? this.commonOptions.skipIf;
    return !skipIf?.(context);
  }

  /** One policy through the storage's promise API: the tracker, the key, `increment`, then headers or the 429. */
  private async decide(context: ExecutionContext, step: Omit<RouteStep, 'throttler' | 'skip'>): Promise<void> {
    const { req, res } = this.getRequestResponse(context) as { req: Record<string, unknown>; res: ServerResponse };
    const tracker = await step.getTracker(req, context);
    const key = step.generateKey(context, `${step.scope}${tracker}`, step.name);
    this.answer(res, step, await this.storageService.increment(key, step.ttl, step.limit, step.blockDuration, step.name));
  }

  private readonly plans = new WeakMap<RouteHandler, WeakMap<RouteClass, RoutePlan | null>>();

  /** The route's resolved policies, or null when one depends on the request (then the stock path runs). */
  private planOf(handler: RouteHandler, classRef: RouteClass): RoutePlan | null {
    let byClass = this.plans.get(handler);
    if (!byClass) this.plans.set(handler, (byClass = new WeakMap()));
    let plan = byClass.get(classRef);
    if (plan !== undefined) return plan;
    const steps: RouteStep[] = [];
    const targets = [handler, classRef];
    const keys = this.metadataKeys;
    const meta = <T>(key: string, name: string): T | undefined => this.reflector.getAllAndOverride<T | undefined>(key + name, targets);
    const keyFn = this.reflector.getAllAndOverride<RateLimitKeyFn | undefined>(RATE_LIMIT_KEY_METADATA, targets);
    let sync = keyFn === undefined;
    plan = { steps, sync };
    for (const throttler of this.throttlers) {
      const name = throttler.name ?? DEFAULT_POLICY;
      const limit = meta<ThrottlerOptions['limit']>(keys.limit, name) ?? throttler.limit;
      const ttl = meta<ThrottlerOptions['ttl']>(keys.ttl, name) ?? throttler.ttl;
      const blockDuration = meta<ThrottlerOptions['blockDuration']>(keys.blockDuration, name) ?? throttler.blockDuration ?? ttl;
      if (typeof limit !== 'number' || typeof ttl !== 'number' || typeof blockDuration !== 'number') {
        plan = null;
        break;
      }
      const getTracker: ThrottlerGetTrackerFunction =
        meta<ThrottlerGetTrackerFunction>(keys.tracker, name) ??
        throttler.getTracker ??
        (this.commonOptions.getTracker as ThrottlerGetTrackerFunction);
      const generateKey: ThrottlerGenerateKeyFunction =
        meta<ThrottlerGenerateKeyFunction>(keys.keyGenerator, name) ??
        throttler.generateKey ??
        (this.commonOptions.generateKey as ThrottlerGenerateKeyFunction);
      if (getTracker !== this.defaultTracker || generateKey !== this.defaultKeyGenerator) sync = false;
      steps.push({
        throttler,
        name,
        skip: meta<boolean>(keys.skip, name) === true,
        limit,
        ttl,
        blockDuration,
        getTracker,
        generateKey,
        scope: routeScope(throttler, limit, ttl, handler, classRef),
        policyItem: policyItem(name, limit, ttl),
      });
    }
    if (plan) plan.sync = sync;
    byClass.set(classRef, plan);
    return plan;
  }

  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    return Promise.resolve(this.skips(context));
  }

  /** Rate limiting off (PROTECTIONS_DISABLED), not HTTP, or a health/metrics path. */
  private skips(context: ExecutionContext): boolean {
    if (this.disabled || context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<IncomingMessage & { originalUrl?: string }>();
    return this.exemptPaths.matches(req.originalUrl ?? req.url ?? '/');
  }

  /** The client: `@RateLimitKey`'s value when the route has one and it returns something, else the request's client key (principal, or IP). */
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
    return clientKeyOf(req as IncomingMessage);
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${name}:${tracker}`;
  }

  /** The stock path (limits that are functions of the request): the same decision, worked out per request. */
  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl, throttler, blockDuration, getTracker, generateKey } = props;
    const name = throttler.name ?? DEFAULT_POLICY;
    const scope = routeScope(throttler, limit, ttl, context.getHandler(), context.getClass());
    await this.decide(context, {
      name,
      limit,
      ttl,
      blockDuration,
      getTracker,
      generateKey,
      scope,
      policyItem: policyItem(name, limit, ttl),
    });
    return true;
  }

  /** Sets the RateLimit headers of a passed request, or throws the 429 of a refused one (both paths). */
  private answer(res: ServerResponse, step: Pick<RouteStep, 'name' | 'limit' | 'policyItem'>, record: ThrottlerStorageRecord): void {
    const policyHeader = appendItem(res.getHeader('RateLimit-Policy'), step.policyItem);
    if (record.isBlocked) {
      const retryAfter = Math.max(1, record.timeToBlockExpire);
      this.rejected.inc({ reason: 'rate_limit' });
      throw new RateLimitedError(retryAfter, {
        'RateLimit-Policy': policyHeader,
        RateLimit: appendItem(res.getHeader('RateLimit'), limitItem(step.name, 0, retryAfter)),
      });
    }
    res.setHeader('RateLimit-Policy', policyHeader);
    res.setHeader(
      'RateLimit',
      appendItem(res.getHeader('RateLimit'), limitItem(step.name, step.limit - record.totalHits, record.timeToExpire)),
    );
  }
}

/**
 * A route that overrides a policy's numbers gets its own bucket (`Class.handler|` before the client), else ''
 * (the API-wide bucket): sharing one bucket between different burst sizes would let each route drain the other's.
 */
function routeScope(throttler: ThrottlerOptions, limit: number, ttl: number, handler: RouteHandler, classRef: RouteClass): string {
  const scoped = limit !== throttler.limit || ttl !== throttler.ttl;
  return scoped ? `${(classRef as { name: string }).name}.${(handler as { name: string }).name}|` : '';
}
