import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AllConfig, toAppConfig } from './app-config';
import { crossVariableProblems } from './env.rules';
import { type Env, envSchema } from './env.schema';

/** Raised when the environment is invalid; lists every problem at once. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = ConfigValidationError.name;
  }
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Each variable through its own schema, so one bad variable never hides another: every problem is listed. */
function parseEach(env: NodeJS.ProcessEnv): { values: Partial<Env>; problems: string[] } {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, schema] of Object.entries(envSchema.shape)) {
    const result = schema.safeParse(env[name]);
    if (result.success) values[name] = result.data;
    else for (const issue of result.error.issues) problems.push(`${name}: ${issue.message}`);
  }
  return { values: values, problems };
}

/**
 * Validates the environment once and returns the typed configuration: each variable on its own, then the
 * rules between variables whose own values are valid (env.rules.ts). Throws {@link ConfigValidationError}
 * naming every bad variable; values are never echoed for URLs.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AllConfig {
  const { values, problems } = parseEach(env);
  const isSet = (name: keyof Env) => (env[name] ?? '').trim() !== '';
  problems.push(...crossVariableProblems({ values, isSet }));
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return toAppConfig(values as Env, packageVersion());
}
