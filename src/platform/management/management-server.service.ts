import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { MANAGEMENT_CLOSE_GRACE_MS } from './management.constants';
import { MANAGEMENT_OPTIONS } from './management.module-definition';
import type { ManagementModuleOptions } from './management-options.interface';
import { ManagementRouter } from './management-router.service';

/**
 * The management listener on MANAGEMENT_PORT: a plain node:http server, outside the main server's edge, its
 * admission control and its drain. It listens when the application bootstraps (before the main port) and
 * closes in Nest's last hook, `onApplicationShutdown`, which the shutdown coordinator reaches after the delay, the
 * drain and the resources: probes and scrapes are answered through the whole shutdown (live 200, ready 503).
 */
@Injectable()
export class ManagementServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Management');
  private server: Server | undefined;

  constructor(
    @Inject(MANAGEMENT_OPTIONS) private readonly options: ManagementModuleOptions,
    private readonly router: ManagementRouter,
  ) {}

  /** The bound address (tests read the port). */
  get address(): { host: string; port: number } | undefined {
    const address = this.server?.address();
    return address && typeof address === 'object' ? { host: address.address, port: address.port } : undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { port, host } = this.options;
    if (port === undefined) return;
    const server = createServer((req, res) => this.router.handle(req, res));
    // Small, short requests only: slow or idle clients are cut quickly.
    server.headersTimeout = 10_000;
    server.requestTimeout = 0;
    server.keepAliveTimeout = 5000;
    server.listen(port, host);
    await once(server, 'listening');
    this.server = server;
    this.logger.log(`management listening on http://${host}:${port} (/metrics, /health/*, /info, /admin/*)`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const grace = setTimeout(() => server.closeAllConnections(), MANAGEMENT_CLOSE_GRACE_MS);
    try {
      await closed;
    } finally {
      clearTimeout(grace);
    }
    this.logger.log('management listener closed');
  }
}
