import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ManagementRouter } from './management-router.service';

/** Without MANAGEMENT_PORT, /info and /admin/* are served on the main port by the management router (token required). */
@Injectable()
export class MainPortManagementMiddleware implements NestMiddleware {
  constructor(private readonly router: ManagementRouter) {}

  use(req: IncomingMessage & { originalUrl?: string }, res: ServerResponse): void {
    // Express rewrites req.url under a mounted path; the router reads the full one.
    if (req.originalUrl !== undefined) req.url = req.originalUrl;
    this.router.handle(req, res, 'main-port');
  }
}
