/** Public surface of the management platform module: the module, its options, the listener (tests read its port). */
export { ManagementModule } from './management.module';
export type { ManagementModuleOptions } from './management-options.interface';
export { ManagementServer } from './management-server.service';
export { MANAGEMENT_METRIC } from './management.constants';
