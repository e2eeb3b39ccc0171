import { bootstrap } from '../../src/bootstrap';
import { FEATURES } from '../../src/features';
import { benchJsonFeature } from './bench-json.feature';

/**
 * src/main.ts's bootstrap (src/bootstrap.ts) with one more feature, the bench's GET /bench/json
 * (bench-json.feature.ts): the same config check, edge, signal handling (SIGTERM exits through process.exit, so
 * `--cpu-prof` writes its profile) and listen. The caller imports the tracing register first, or deliberately
 * not (ballast-untraced.ts).
 */
export function bootstrapBallast(label: string): Promise<void> {
  return bootstrap([...FEATURES, benchJsonFeature], label);
}
