import { type CanActivate, type ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { trace } from '@opentelemetry/api';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { IncomingMessage } from 'node:http';
import type { Counter } from 'prom-client';
import { type RequestPrincipal, contextOf } from '../request-context';
import { ApiKeyVerifier } from './api-key.verifier';
import { AuthFailureLimiter } from './auth-failure.limiter';
import { type Credential, credentialOf } from './credentials';
import { AUTH_OUTCOMES, type AuthOutcome, IDENTITY_METRIC, PUBLIC_METADATA, SCOPES_METADATA } from './identity.constants';
import { AuthenticationError, AuthUnavailableError, InsufficientScopeError } from './identity.errors';
import { IDENTITY_MODULE_OPTIONS, type IdentityModuleOptions } from './identity.module-definition';
import { JwtVerifier } from './jwt-verifier';

/** What a route asks of the caller, worked out once per handler. */
interface RouteRule {
  /** False: public (`@Public()`, or a route outside `/api` without `@Scopes`). */
  secured: boolean;
  scopes: readonly string[];
}

/** The principal of every request when AUTH_DISABLED is set. */
const ANONYMOUS: RequestPrincipal = { id: 'anonymous', kind: 'anonymous', scopes: new Set() };

type RouteHandler = ReturnType<ExecutionContext['getHandler']>;

/**
 * The global authentication guard: a route under `/api` (by its controller's path) needs a principal unless it is
 * `@Public()`; `@Scopes()` narrows it, on any route. Reads `Authorization: Bearer <JWT>` or `X-API-Key`, puts the
 * principal in the request context (rate limiting and idempotency key by it from there), counts
 * `auth_requests_total{outcome}`, and refuses with 401 / 403 / 503 (`auth-unavailable`). Failed authentications
 * also take a token from a strict per-IP bucket (429 when it is empty). Registered before the rate-limit guard.
 */
@Injectable()
export class IdentityGuard implements CanActivate {
  private readonly rules = new WeakMap<RouteHandler, RouteRule>();
  private readonly outcomes: Record<AuthOutcome, Counter.Internal>;
  private readonly disabled: boolean;
  private readonly spanPrincipal: boolean;

  constructor(
    private readonly reflector: Reflector,
    @Inject(IDENTITY_MODULE_OPTIONS) options: IdentityModuleOptions,
    @InjectMetric(IDENTITY_METRIC.authRequests) requests: Counter<string>,
    private readonly apiKeys: ApiKeyVerifier,
    private readonly failures: AuthFailureLimiter,
    @Optional() private readonly jwt?: JwtVerifier,
  ) {
    this.disabled = options.disabled === true;
    this.spanPrincipal = options.spanPrincipal !== false;
    this.outcomes = Object.fromEntries(AUTH_OUTCOMES.map((o) => [o, requests.labels(o)])) as IdentityGuard['outcomes'];
    for (const counter of Object.values(this.outcomes)) counter.inc(0);
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const rule = this.ruleOf(context);
    if (!rule.secured) return true;
    const req = context.switchToHttp().getRequest<IncomingMessage>();
    if (this.disabled) {
      contextOf(req).principal = ANONYMOUS;
      this.outcomes.anonymous.inc();
      return true;
    }
    let credential: Credential;
    try {
      credential = credentialOf(req.headers);
    } catch (error) {
      throw this.refused(req, error);
    }
    if (credential === undefined) throw this.refused(req, new AuthenticationError('missing', 'This operation needs a credential.'));
    // Cached credentials are decided without a promise: the common case of a client sending the same credential.
    const cached = credential.kind === 'bearer' ? this.jwt?.cached(credential.token) : this.apiKeys.cached(credential.key);
    if (cached) return this.admit(req, cached, rule);
    return this.verify(credential).then(
      (principal) => this.admit(req, principal, rule),
      (error: unknown) => {
        throw this.refused(req, error);
      },
    );
  }

  private verify(credential: NonNullable<Credential>): Promise<RequestPrincipal> {
    if (credential.kind === 'api_key') return this.apiKeys.verify(credential.key);
    if (!this.jwt) return Promise.reject(new AuthenticationError('invalid', 'Bearer tokens are not accepted by this service.'));
    return this.jwt.verify(credential.token);
  }

  /** Sets the principal, then checks the route's scopes (403 when one is missing). */
  private admit(req: IncomingMessage, principal: RequestPrincipal, rule: RouteRule): true {
    contextOf(req).principal = principal;
    if (this.spanPrincipal) trace.getActiveSpan()?.setAttribute('enduser.id', principal.id);
    for (const scope of rule.scopes) {
      if (!principal.scopes.has(scope)) {
        this.outcomes.forbidden.inc();
        throw new InsufficientScopeError(rule.scopes);
      }
    }
    this.outcomes.authenticated.inc();
    return true;
  }

  /** Counts a refusal; a failed credential (not a missing one) also spends the client's failure budget. */
  private refused(req: IncomingMessage, error: unknown): unknown {
    if (error instanceof AuthUnavailableError) {
      this.outcomes.unavailable.inc();
      return error;
    }
    if (!(error instanceof AuthenticationError)) return error;
    this.outcomes[error.problem === 'missing' ? 'missing' : error.problem === 'expired' ? 'expired' : 'invalid'].inc();
    if (error.problem === 'missing') return error;
    return this.failures.take(req) ?? error;
  }

  private ruleOf(context: ExecutionContext): RouteRule {
    const handler = context.getHandler();
    let rule = this.rules.get(handler);
    if (rule === undefined) {
      const targets = [handler, context.getClass()];
      const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_METADATA, targets) === true;
      const scopes = this.reflector.getAllAndOverride<string[] | undefined>(SCOPES_METADATA, targets);
      const path = String(Reflect.getMetadata(PATH_METADATA, context.getClass()) ?? '');
      const underApi = /^\/?api(\/|$)/i.test(path);
      rule = { secured: !isPublic && (underApi || scopes !== undefined), scopes: scopes ?? [] };
      this.rules.set(handler, rule);
    }
    return rule;
  }
}
