import type { HealthCheckResult } from '@nestjs/terminus';

/** The body of every health endpoint: terminus' `status`, `info`, `error`, `details`, plus the service version. */
export type HealthReport = HealthCheckResult & {
  /** `package.json` version of the running build. */
  version: string;
};
