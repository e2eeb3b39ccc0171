import { Injectable, type NestMiddleware, NotFoundException } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * With MANAGEMENT_PORT set, the main port's /metrics and /health/* answer 404 (problem+json, as any unknown
 * path): they are served by the management listener only, so an Ingress in front of the main port cannot
 * publish them.
 */
@Injectable()
export class MainPortGateMiddleware implements NestMiddleware {
  use(_req: IncomingMessage, _res: ServerResponse, next: (error?: unknown) => void): void {
    next(new NotFoundException());
  }
}
