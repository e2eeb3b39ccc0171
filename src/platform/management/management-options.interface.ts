/** Options of {@link ManagementModule} (`ManagementModule.forRoot`), mapped from the environment by the composition root. */
export interface ManagementModuleOptions {
  /** The management listener's port (MANAGEMENT_PORT); undefined: /metrics and /health/* stay on the main port. */
  port: number | undefined;
  /** Address the management listener binds (MANAGEMENT_HOST). @default '0.0.0.0' */
  host: string;
  /** Bearer token for /admin/* (MANAGEMENT_TOKEN); undefined: /admin/* answers 404. */
  token: string | undefined;
  /** The log level configured at boot (LOG_LEVEL): what a temporary level reverts to. */
  baseLogLevel: string;
  /** Names of the application's features, listed by /info. */
  features: ReadonlyArray<string>;
  /** The effective configuration, listed by /info with every secret masked (secret-mask.ts). */
  configuration: Readonly<Record<string, unknown>>;
}
