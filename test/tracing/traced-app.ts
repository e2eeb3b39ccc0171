import { type AppProcess, startAppProcess } from '../utils/app-process';
import { createTestDatabase, type TestDatabase } from '../utils/test-database';
import { behave, UpstreamServer } from '../utils/upstream-server';
import { OtlpReceiver } from './otlp-receiver';

/** The profile upstream's normal answer. */
export const PROFILE_OK = behave.json({ displayName: 'Ada', avatarUrl: null });

/** A `node dist/main.js` exporting to a real OTLP/HTTP receiver, with its own database and profile upstream. */
export interface TracedApp {
  db: TestDatabase;
  receiver: OtlpReceiver;
  upstream: UpstreamServer;
  app: AppProcess;
  /** Stops the app (unless it already exited), the upstream and the receiver, and drops the database. */
  close(): Promise<void>;
}

/**
 * Starts the pieces every tracing e2e test needs and waits until the app is ready: OTLP over HTTP/JSON, a 50 ms
 * batch delay (spans arrive within a poll or two), the profile upstream answering `PROFILE_OK` with a 1.5 s
 * timeout. `env` adds to or overrides those settings.
 */
export async function startTracedApp(env: Record<string, string> = {}): Promise<TracedApp> {
  const db = await createTestDatabase();
  const receiver = await new OtlpReceiver().start();
  const upstream = new UpstreamServer(PROFILE_OK);
  await upstream.start();
  let app: AppProcess | undefined;
  const close = async () => {
    if (app && app.child.exitCode === null && app.child.signalCode === null) await app.stop();
    await upstream.stop();
    await receiver.close();
    await db.drop();
  };
  try {
    app = await startAppProcess({
      DATABASE_URL: db.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      PROFILE_SERVICE_URL: upstream.url,
      PROFILE_SERVICE_TIMEOUT_MS: '1500',
      ...env,
    });
    await app.waitFor('/health/ready', 200);
    return { db, receiver, upstream, app, close };
  } catch (error) {
    await close();
    throw error;
  }
}
