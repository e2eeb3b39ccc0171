import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AllConfig, toAppConfig } from './app-config';
import type { ConfigFragment, FragmentShape } from './config-fragment';
import { crossVariableProblems, ruleProblems } from './env.rules';
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
function parseEach(env: NodeJS.ProcessEnv, shape: FragmentShape): { values: Record<string, unknown>; problems: string[] } {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, schema] of Object.entries(shape)) {
    const result = schema.safeParse(env[name]);
    if (result.success) values[name] = result.data;
    else for (const issue of result.error.issues) problems.push(`${name}: ${issue.message}`);
  }
  return { values, problems };
}

/**
 * Every variable the application reads: the platform's (env.schema.ts) and each fragment's. Two owners of one
 * variable or one namespace are a programming error, refused with a plain Error before any value is read.
 */
export function envVariables(fragments: ReadonlyArray<ConfigFragment> = []): FragmentShape {
  const shape: FragmentShape = { ...envSchema.shape };
  const namespaces = new Set<string>();
  for (const fragment of fragments) {
    if (namespaces.has(fragment.namespace)) throw new Error(`config namespace "${fragment.namespace}" is declared by two fragments`);
    namespaces.add(fragment.namespace);
    for (const [name, schema] of Object.entries(fragment.schema)) {
      if (name in shape)
        throw new Error(`${name} is declared twice: by the "${fragment.namespace}" fragment and by the platform or another fragment`);
      shape[name] = schema;
    }
  }
  return shape;
}

/**
 * Validates the environment once and returns the typed configuration: each variable on its own (the
 * platform's and every feature fragment's), then the rules between variables whose own values are valid
 * (env.rules.ts and each fragment's `rules`). Throws {@link ConfigValidationError} naming every bad variable
 * of the platform and the features together; values are never echoed for URLs. Each fragment's namespace is
 * added next to the platform's (read it with `fragment.from(configService)`).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, fragments: ReadonlyArray<ConfigFragment> = []): AllConfig {
  const { values, problems } = parseEach(env, envVariables(fragments));
  const isSet = (name: string) => (env[name] ?? '').trim() !== '';
  problems.push(...crossVariableProblems({ values, isSet }));
  for (const fragment of fragments) problems.push(...ruleProblems(fragment.rules, { values, isSet }));
  if (problems.length > 0) throw new ConfigValidationError(problems);
  const config = toAppConfig(values as Env, packageVersion()) as AllConfig & Record<string, unknown>;
  for (const fragment of fragments) {
    if (fragment.namespace in config)
      throw new Error(`config namespace "${fragment.namespace}" is the platform's: name the fragment after its feature`);
    config[fragment.namespace] = fragment.toConfig(values);
  }
  return config;
}
