import { Injectable, Optional } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { READINESS_ORDER, ReadinessRegistry } from '../health';

/** A check the health module passes to `HealthCheckService.check([...])`. */
export type UpstreamCheck = () => Promise<HealthIndicatorResult>;
import { HttpClientRegistry } from './http-client.registry';

/**
 * Health of the registered upstreams:
 * - `readinessChecks()` for /health/ready, registered in the health module's {@link ReadinessRegistry}: only
 *   upstreams registered with `affectsReadiness: true` (a down dependency must not pull every pod out of
 *   rotation by default);
 * - `checks()` for a detailed report: every upstream.
 * An upstream is unhealthy while its circuit is open, or when its `healthPath` probe fails (GET within
 * `healthTimeoutMs`, single-flight, cached as long). Unhealthy reads `down` for an upstream that affects
 * readiness and `degraded` (HTTP 200) for the others. Details never name the upstream's address.
 */
@Injectable()
export class UpstreamHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly registry: HttpClientRegistry,
    @Optional() readiness?: ReadinessRegistry,
  ) {
    readiness?.registerMany('upstreams', () => this.readinessChecks(), READINESS_ORDER.upstreams);
  }

  /** The health of upstream `name` under the key `upstream_<name>`. */
  async isHealthy(name: string): Promise<HealthIndicatorResult> {
    const client = this.registry.get(name);
    const key = `upstream_${name}`;
    const session = this.indicators.check(key);
    if (!client.enabled) return session.up({ enabled: false });
    const { affectsReadiness, healthPath, healthTimeoutMs } = client.options;
    const circuit = client.circuitState;
    const unhealthy = (data: Record<string, unknown>) => (affectsReadiness ? session.down(data) : session.degraded(data));
    if (circuit === 'open') return unhealthy({ circuit, message: 'circuit open: recent calls failed' });
    if (!healthPath) return session.up({ circuit });
    const probed = await session
      .attempt(({ signal }) => client.probe(signal).then(() => ({ circuit })))
      .withTimeout(healthTimeoutMs)
      .cacheFor(healthTimeoutMs);
    const detail = probed[key];
    if (detail?.status !== 'down') return probed;
    const { status: _status, ...data } = detail;
    return unhealthy({ ...data, circuit });
  }

  /** One check per upstream that affects readiness (none by default). */
  readinessChecks(): UpstreamCheck[] {
    return this.registry
      .all()
      .filter((client) => client.options.affectsReadiness)
      .map((client) => () => this.isHealthy(client.name));
  }

  /** One check per registered upstream. */
  checks(): UpstreamCheck[] {
    return this.registry.all().map((client) => () => this.isHealthy(client.name));
  }
}
