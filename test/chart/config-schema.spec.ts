import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAppConfig } from '../../src/app.module';
import { ConfigValidationError, envVariables } from '../../src/config/load-config';
import { FEATURES } from '../../src/features';
import { collectFeatures } from '../../src/platform/composition';
import { CHART_DIR } from './utils/helm';

interface PropertySchema {
  type?: string | string[];
  minimum?: number;
  maximum?: number;
  enum?: unknown[];
}
const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8')) as {
  properties: { config: { properties: Record<string, PropertySchema>; additionalProperties: unknown } };
};
const config = schema.properties.config;
/** Environment the chart sets for the app without it being one of the app's variables. */
const CHART_ONLY = ['NODE_OPTIONS', 'UV_THREADPOOL_SIZE'];
/**
 * The platform's variables and every feature's (the config fragments of src/features.ts); OTEL_* come from the
 * chart's own `tracing` block (docs/tracing.md), never from `config`.
 */
const APP_VARIABLES = Object.keys(envVariables(collectFeatures(FEATURES).configFragments)).filter((name) => !name.startsWith('OTEL_'));

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadAppConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
}

describe("values.schema.json `config` and the app's env schema (src/config/env.schema.ts and the features' config fragments)", () => {
  it("refuses unknown keys, and lists exactly the app's variables (plus what the chart sets for Node)", () => {
    expect(config.additionalProperties).toBe(false);
    expect(Object.keys(config.properties).sort()).toEqual([...APP_VARIABLES, ...CHART_ONLY].sort());
  });

  it('gives every integer variable the range the app accepts', () => {
    const integers = Object.entries(config.properties).filter(([, property]) => property.type === 'integer');
    expect(integers.length).toBeGreaterThan(20);
    for (const [name, { minimum, maximum }] of integers) {
      // Only the variable's own check: a bound can still break a rule with another variable's default.
      const accepted = [minimum, maximum].map((value) =>
        problemsOf({ [name]: String(value) }).filter((p) => p.startsWith(`${name}: ${value} `)),
      );
      const refused = [minimum! - 1, maximum! + 1].map((value) =>
        problemsOf({ [name]: String(value) }).some((p) => p.startsWith(`${name}: ${value} is out of range`)),
      );
      expect({ name, accepted, refused }).toEqual({ name, accepted: [[], []], refused: [true, true] });
    }
  });

  it('gives every enum variable the values the app accepts', () => {
    for (const [name, property] of Object.entries(config.properties)) {
      if (!property.enum) continue;
      for (const value of property.enum)
        expect({ name, value, problems: problemsOf({ [name]: String(value) }).filter((p) => p.startsWith(`${name}:`)) }).toEqual({
          name,
          value,
          problems: [],
        });
      expect(problemsOf({ [name]: 'not-a-choice' })).toEqual([expect.stringMatching(new RegExp(`^${name}: `))]);
    }
  });
});
