import { Inject, Injectable, Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LevelWithSilent } from 'pino';
import { HealthReporter } from '../health';
import { renderMetrics } from '../observability';
import { AdminAuth, pathOf } from './admin-auth';
import { DiagnosticsService } from './diagnostics.service';
import { InfoService } from './info.service';
import { LOG_LEVELS, LogLevelService } from './log-level.service';
import {
  CPU_PROFILE_DEFAULT_SECONDS,
  CPU_PROFILE_MAX_SECONDS,
  LOG_LEVEL_DEFAULT_TTL_SECONDS,
  LOG_LEVEL_MAX_TTL_SECONDS,
  MANAGEMENT_PATHS,
} from './management.constants';
import { badRequest, ManagementProblem, readJsonBody, sendJson, sendProblem } from './management-http';
import { MANAGEMENT_OPTIONS } from './management.module-definition';
import type { ManagementModuleOptions } from './management-options.interface';
import { OperatorReadiness } from './operator-readiness.service';

/**
 * Where a request came in: the management listener serves everything; the main port (no MANAGEMENT_PORT) only
 * /info and /admin/* (its own controllers serve /metrics and /health/*), and /info there needs the token too.
 */
export type ManagementSurface = 'listener' | 'main-port';

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

/**
 * The management endpoints as plain node:http handlers: no Express, no Nest pipeline, so no rate limit, no
 * shedding and no in-flight count applies to them, and they answer while the API is saturated. Each request is
 * logged at debug (they are not in the request log).
 */
@Injectable()
export class ManagementRouter {
  private readonly logger = new Logger('Management');
  private readonly auth: AdminAuth;
  private readonly routes: Record<string, Partial<Record<string, Handler>>>;

  constructor(
    @Inject(MANAGEMENT_OPTIONS) options: ManagementModuleOptions,
    private readonly health: HealthReporter,
    private readonly info: InfoService,
    private readonly logLevel: LogLevelService,
    private readonly diagnostics: DiagnosticsService,
    private readonly operator: OperatorReadiness,
  ) {
    this.auth = new AdminAuth(options.token);
    this.routes = {
      [MANAGEMENT_PATHS.metrics]: { GET: (req, res) => this.metrics(req, res) },
      [MANAGEMENT_PATHS.live]: { GET: (_req, res) => sendJson(res, 200, this.health.live()) },
      [MANAGEMENT_PATHS.ready]: { GET: (_req, res) => this.ready(res) },
      [MANAGEMENT_PATHS.info]: { GET: async (_req, res) => sendJson(res, 200, await this.info.report()) },
      '/admin/log-level': {
        GET: (_req, res) => sendJson(res, 200, this.logLevel.state()),
        PUT: (req, res) => this.putLogLevel(req, res),
      },
      '/admin/readiness': {
        GET: (_req, res) => sendJson(res, 200, { ready: this.operator.ready }),
        PUT: (req, res) => this.putReadiness(req, res),
      },
      '/admin/heap-snapshot': {
        POST: (req, res, url) => this.diagnostics.heapSnapshot(res, url.searchParams.get('force') === 'true', who(req)),
      },
      '/admin/cpu-profile': { POST: (req, res, url) => this.cpuProfile(req, res, url) },
    };
  }

  /** Whether the main port hands `path` to this router (when MANAGEMENT_PORT is unset). */
  static servesOnMainPort(path: string): boolean {
    return path === MANAGEMENT_PATHS.info || path.startsWith(`${MANAGEMENT_PATHS.admin}/`);
  }

  /** Answers one request; never throws (a failure is a problem+json answer, or a cut stream once it started). */
  readonly handle = (req: IncomingMessage, res: ServerResponse, surface: ManagementSurface = 'listener'): void => {
    const started = performance.now();
    res.once('close', () =>
      this.logger.debug(
        `${req.method ?? ''} ${pathOf(req)} ${res.headersSent ? res.statusCode : 499} in ${Math.round(performance.now() - started)} ms`,
      ),
    );
    void this.dispatch(req, res, surface).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof ManagementProblem) return sendProblem(res, error);
      this.logger.error(
        `${req.method ?? ''} ${pathOf(req)} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      sendProblem(res, new ManagementProblem(500, 'internal', 'Internal Server Error', 'the management endpoint failed; see the log'));
    });
  };

  private async dispatch(req: IncomingMessage, res: ServerResponse, surface: ManagementSurface): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://management');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const isAdmin = path.startsWith(`${MANAGEMENT_PATHS.admin}/`);
    const onMain = surface === 'main-port';
    if (onMain && !ManagementRouter.servesOnMainPort(path)) throw notFound();
    // The token is checked before the route is looked up: without it, /admin/* reveals nothing (404 or 401).
    if (isAdmin || (onMain && path === MANAGEMENT_PATHS.info)) this.auth.check(req);
    const methods = this.routes[path];
    if (!methods) throw notFound();
    const handler = methods[req.method ?? 'GET'];
    if (!handler)
      throw new ManagementProblem(405, 'method-not-allowed', 'Method Not Allowed', `${req.method ?? ''} is not allowed here`, {
        Allow: Object.keys(methods).join(', '),
      });
    await handler(req, res, url);
  }

  private async metrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { contentType, body } = await renderMetrics(req.headers.accept);
    res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
    res.end(body);
  }

  private async ready(res: ServerResponse): Promise<void> {
    const { ok, report } = await this.health.ready();
    sendJson(res, ok ? 200 : 503, report);
  }

  private async putLogLevel(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = (await readJsonBody(req)) as { level?: unknown; ttlSeconds?: unknown } | null;
    const level = body?.level;
    if (typeof level !== 'string' || !(LOG_LEVELS as readonly string[]).includes(level))
      throw badRequest(`level must be one of ${LOG_LEVELS.join(', ')}`);
    const ttl = body?.ttlSeconds ?? LOG_LEVEL_DEFAULT_TTL_SECONDS;
    if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > LOG_LEVEL_MAX_TTL_SECONDS)
      throw badRequest(`ttlSeconds must be an integer from 1 to ${LOG_LEVEL_MAX_TTL_SECONDS}`);
    sendJson(res, 200, this.logLevel.set(level as LevelWithSilent, ttl, who(req)));
  }

  private async putReadiness(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = (await readJsonBody(req)) as { ready?: unknown } | null;
    if (typeof body?.ready !== 'boolean') throw badRequest('ready must be true or false');
    this.operator.set(body.ready, who(req));
    sendJson(res, 200, { ready: this.operator.ready });
  }

  private async cpuProfile(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const raw = url.searchParams.get('seconds');
    const seconds = raw === null ? CPU_PROFILE_DEFAULT_SECONDS : Number(raw);
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > CPU_PROFILE_MAX_SECONDS)
      throw badRequest(`seconds must be an integer from 1 to ${CPU_PROFILE_MAX_SECONDS}`);
    await this.diagnostics.cpuProfile(res, seconds, who(req));
  }
}

function notFound(): ManagementProblem {
  return new ManagementProblem(404, 'not-found', 'Not Found', 'no such management endpoint');
}

/** Who asked, for audit lines: the peer address (behind kubectl port-forward, the pod's loopback). */
function who(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}
