import { Inject, Injectable, Optional } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { hostname } from 'node:os';
import { DataSource, MigrationExecutor } from 'typeorm';
import type { AllConfig } from '../../config/app-config';
import { type BuildInfo, readBuildInfo } from './build-info';
import { MANAGEMENT_OPTIONS } from './management.module-definition';
import type { ManagementModuleOptions } from './management-options.interface';
import { maskSecrets } from './secret-mask';

/** The body of GET /info. */
export interface InfoReport extends BuildInfo {
  node: string;
  hostname: string;
  uptimeSeconds: number;
  features: ReadonlyArray<string>;
  /** Applied migrations, oldest first; `error` when the database cannot say now. */
  migrations: { applied: Array<{ name: string; timestamp: number }> } | { error: string };
  /** The effective configuration, every secret masked. */
  configuration: unknown;
}

/** Assembles GET /info: what runs, built from what, with which settings (secrets masked). */
@Injectable()
export class InfoService {
  /** Read on the first /info (it may ask git): an application that is never asked pays nothing. */
  private build: BuildInfo | undefined;
  private readonly configuration: unknown;

  constructor(
    @Inject(MANAGEMENT_OPTIONS) private readonly options: ManagementModuleOptions,
    private readonly config: ConfigService<AllConfig, true>,
    @Optional() @Inject(DataSource) private readonly dataSource?: DataSource,
  ) {
    this.configuration = maskSecrets(options.configuration);
  }

  async report(): Promise<InfoReport> {
    this.build ??= readBuildInfo(this.config.get('app.version', { infer: true }));
    return {
      ...this.build,
      node: process.version,
      hostname: hostname(),
      uptimeSeconds: Math.round(process.uptime()),
      features: this.options.features,
      migrations: await this.migrations(),
      configuration: this.configuration,
    };
  }

  private async migrations(): Promise<InfoReport['migrations']> {
    if (!this.dataSource?.isInitialized) return { error: 'the database is not connected yet' };
    try {
      const applied = await new MigrationExecutor(this.dataSource).getExecutedMigrations();
      return { applied: applied.map(({ name, timestamp }) => ({ name, timestamp })).sort((a, b) => a.timestamp - b.timestamp) };
    } catch {
      return { error: 'the database did not answer' };
    }
  }
}
