import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge } from 'prom-client';
import type { AllConfig } from '../../config/app-config';
import { METRIC } from '../observability/metrics.constants';
import { EXTERNAL_RESOURCE } from './http-client.constants';
import { OutboundPermitsExhaustedError } from './http-client.errors';

/** A held permit; `release()` is idempotent. */
export interface OutboundPermit {
  release(): void;
}

/**
 * What the client needs from a permit pool: a permit now, or a rejection (a 503 ProblemError) at once. The
 * shape of the resilience module's `PermitPool.acquire()`, so either can stand behind {@link EXTERNAL_PERMITS}.
 */
export interface OutboundPermits {
  acquire(signal?: AbortSignal): Promise<OutboundPermit>;
}

/**
 * The `external` permits (EXTERNAL_API_PERMITS), fail fast, with `resource_permits_in_use{resource="external"}`
 * and `resource_permits_rejected_total{resource="external"}`.
 * TODO(merge): replace with the resilience permit pool — bind EXTERNAL_PERMITS with
 * `useExisting: permitsToken(PLATFORM_PERMITS.external)` and delete this class (that pool reports the same metrics).
 */
@Injectable()
export class ExternalPermitPool implements OutboundPermits {
  private held = 0;
  private readonly capacity: number;
  private readonly inUse: Gauge.Internal<string>;
  private readonly rejected: Counter.Internal;

  constructor(
    config: ConfigService<AllConfig, true>,
    @InjectMetric(METRIC.resourcePermitsInUse) inUse: Gauge<string>,
    @InjectMetric(METRIC.resourcePermitsRejected) rejected: Counter<string>,
  ) {
    this.capacity = config.get('resilience.externalPermits', { infer: true });
    this.inUse = inUse.labels(EXTERNAL_RESOURCE);
    this.rejected = rejected.labels(EXTERNAL_RESOURCE);
    this.inUse.set(0);
    this.rejected.inc(0);
  }

  /** Permits held now. */
  get inUseCount(): number {
    return this.held;
  }

  acquire(signal?: AbortSignal): Promise<OutboundPermit> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.held >= this.capacity) {
      this.rejected.inc();
      return Promise.reject(new OutboundPermitsExhaustedError(EXTERNAL_RESOURCE));
    }
    this.held++;
    this.inUse.set(this.held);
    let released = false;
    return Promise.resolve({
      release: () => {
        if (released) return;
        released = true;
        this.held--;
        this.inUse.set(this.held);
      },
    });
  }
}
