import type { INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Server } from 'node:http';
import type { AllConfig } from '../../config/app-config';

/**
 * Starts listening on PORT/HOST with HTTP_LISTEN_BACKLOG as the accept queue length (the kernel caps it at
 * `net.core.somaxconn`). Node's default, 511, overflows under a burst of ~1,000 new connections and the
 * kernel then drops SYNs: clients see multi-second connect retries instead of a quick answer.
 */
export async function listen(app: INestApplication): Promise<Server> {
  const config = app.get(ConfigService<AllConfig, true>);
  const { port, host } = config.get('app', { infer: true });
  const { listenBacklog } = config.get('httpServer', { infer: true });
  // Nest hands its arguments on to Node's `server.listen(port, host, backlog, callback)`; only its typings
  // omit `backlog`, hence the untyped call (test/process/slow-clients.e2e-spec.ts reads the backlog back).
  return Reflect.apply(app.listen.bind(app), undefined, [port, host, listenBacklog]) as Promise<Server>;
}
