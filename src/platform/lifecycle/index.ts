/** Public surface of the lifecycle platform module: the shutdown coordinator and the phase registry. */
export { LifecycleModule } from './lifecycle.module';
export { ShutdownCoordinator, type ShutdownOutcome } from './shutdown-coordinator.service';
export { ShutdownRegistry, type ShutdownHook } from './shutdown-registry.service';
export { LifecycleState } from './lifecycle-state.service';
export { SHUTDOWN_PHASES, type ShutdownPhase } from './lifecycle.constants';
export { PhaseTimer } from './phase-timer';
