/**
 * Ballast without the tracing module's start: ballast-bench.ts minus its tracing register import, so no
 * settings check at boot and no SDK whatever the environment; the same bench feature (GET /bench/json), so the
 * two compare route for route. The bench's "ballast without tracing" target (BENCH_UNTRACED_MAIN can point at
 * another build instead, e.g. the commit before tracing).
 */
import '../../src/node-version-check';
import { bootstrapBallast } from './ballast-app';

void bootstrapBallast('untraced');
