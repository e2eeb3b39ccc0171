/** A held permit; `release()` is idempotent. */
export interface OutboundPermit {
  release(): void;
}

/**
 * What the client needs from a permit pool: a permit now, or a rejection (a 503 ProblemError) at once. The
 * resilience module's `external` `PermitPool` stands behind {@link EXTERNAL_PERMITS}; tests may pass their own.
 */
export interface OutboundPermits {
  acquire(signal?: AbortSignal): Promise<OutboundPermit>;
}
