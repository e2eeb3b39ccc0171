/** Indicator keys of the health module's own checks in the health body. */
export const HEALTH_KEY = { process: 'process', lifecycle: 'lifecycle' } as const;
