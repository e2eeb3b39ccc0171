/** Public surface of the health platform module (minimal; the readiness-check registry adds its exports). */
export { HealthModule } from './health.module';
