import { LifecycleModule } from '../../src/platform/lifecycle/lifecycle.module';
import { ResilienceModule } from '../../src/platform/resilience/resilience.module';

/**
 * The platform modules whose providers `configureHttpServer()` installs at the edge. A fixture app that
 * boots less than AppModule (no database, say) imports these to get the real edge.
 */
export function edgeModules() {
  return [LifecycleModule, ResilienceModule.forRoot()];
}
