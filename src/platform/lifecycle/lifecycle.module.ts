import { Global, Module } from '@nestjs/common';
import { HttpDrain } from './http-drain.service';
import { LifecycleState } from './lifecycle-state.service';
import { ShutdownCoordinator } from './shutdown-coordinator.service';
import { ShutdownRegistry } from './shutdown-registry.service';

/**
 * The shutdown coordinator and what it drives: the shutdown state (readiness reads it), the HTTP drain (edge
 * slot 2) and the registry where modules put the resources they opened. Global: any module may register.
 */
@Global()
@Module({
  providers: [LifecycleState, HttpDrain, ShutdownRegistry, ShutdownCoordinator],
  exports: [LifecycleState, HttpDrain, ShutdownRegistry, ShutdownCoordinator],
})
export class LifecycleModule {}
