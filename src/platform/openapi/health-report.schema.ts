/** One indicator's entry in a terminus body: its `status` and whatever details it adds. */
const INDICATOR = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string', enum: ['up', 'down'] } },
  additionalProperties: true,
  maxProperties: 32,
};

/** Indicator name → its entry. */
const INDICATORS = { type: 'object', additionalProperties: INDICATOR, maxProperties: 64 };

/** The terminus body of `/health/live` and `/health/ready` (`HealthReport`), for the OpenAPI document. */
export const HEALTH_REPORT_SCHEMA = {
  type: 'object',
  required: ['status', 'details', 'version'],
  properties: {
    status: { type: 'string', enum: ['ok', 'error', 'shutting_down'], description: 'Overall result.' },
    info: { ...INDICATORS, description: 'The indicators that are up.' },
    error: { ...INDICATORS, description: 'The indicators that are down.' },
    details: { ...INDICATORS, description: 'Every indicator.' },
    version: { type: 'string', maxLength: 64, pattern: '^[0-9A-Za-z.+-]+$', description: 'Version of the running build.' },
  },
};
