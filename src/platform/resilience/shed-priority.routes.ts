import { Injectable, Logger, type OnModuleInit, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { IncomingMessage } from 'node:http';
import { SHED_PRIORITY_METADATA, type ShedPriorityLevel } from './shed-priority.decorator';

/** One low-priority route: its method (undefined: any) and its path template split into segments. */
interface LowRoute {
  method: string | undefined;
  segments: string[];
  /** The template ends in a wildcard (`*`, `*path`, `{*path}`): the rest of the path matches. */
  prefix: boolean;
}

function segmentsOf(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function joinPaths(...parts: Array<string | undefined>): string {
  return `/${parts.flatMap((p) => (p === undefined ? [] : segmentsOf(p))).join('/')}`;
}

function pathsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : ['/'];
}

/**
 * The `@ShedPriority('low')` routes, resolved once at start from the controllers Nest discovered (controller
 * path + method path, as the router mounts them; this app sets no global prefix or URI versioning — a
 * project that adds them must extend {@link ShedPriorityRoutes.fullPath}). The admission edge runs before
 * Nest's router, so it cannot read the handler's metadata per request; it asks {@link isLow} instead, and
 * only when the answer matters (under strain or near the limit). Matching is a segment compare (`:param`
 * matches one segment): Nest route templates need no more, and it allocates only the split of the path.
 */
@Injectable()
export class ShedPriorityRoutes implements OnModuleInit {
  private low: LowRoute[] = [];
  /** Whether any route is marked low priority (when none is, the edge never looks a request up). A field: read per request. */
  any = false;
  private readonly logger = new Logger('ShedPriority');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    const low: LowRoute[] = [];
    const names: string[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | undefined;
      if (!controller || !wrapper.instance) continue;
      const controllerPaths = pathsOf(Reflect.getMetadata(PATH_METADATA, controller));
      const prototype = Object.getPrototypeOf(wrapper.instance) as Record<string, unknown>;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name] as (...args: unknown[]) => unknown;
        const methodPath: unknown = Reflect.getMetadata(PATH_METADATA, handler);
        if (methodPath === undefined) continue;
        const level = this.reflector.getAllAndOverride<ShedPriorityLevel | undefined>(SHED_PRIORITY_METADATA, [handler, controller]);
        if (level !== 'low') continue;
        const requestMethod = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        const method = requestMethod === undefined || requestMethod === RequestMethod.ALL ? undefined : RequestMethod[requestMethod];
        for (const c of controllerPaths) {
          for (const m of pathsOf(methodPath)) {
            const full = this.fullPath(c, m);
            const segments = segmentsOf(full);
            const last = segments.at(-1) ?? '';
            const prefix = last.startsWith('*') || last.startsWith('{*');
            low.push({ method, segments: prefix ? segments.slice(0, -1) : segments, prefix });
            names.push(`${method ?? 'ALL'} ${full}`);
          }
        }
      }
    }
    this.low = low;
    this.any = low.length > 0;
    if (names.length > 0) this.logger.log(`low shed priority: ${names.join(', ')}`);
  }

  /** The path the router serves a handler at. */
  protected fullPath(controllerPath: string, methodPath: string): string {
    return joinPaths(controllerPath, methodPath);
  }

  /** Whether the request goes to a low-priority route. */
  isLow(req: IncomingMessage): boolean {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = segmentsOf(query === -1 ? url : url.slice(0, query));
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    for (const route of this.low) {
      if (route.method !== undefined && route.method !== method) continue;
      if (route.prefix ? path.length < route.segments.length : path.length !== route.segments.length) continue;
      let match = true;
      for (let i = 0; i < route.segments.length && match; i++) {
        const s = route.segments[i];
        match = s.startsWith(':') || s === path[i];
      }
      if (match) return true;
    }
    return false;
  }
}
