import { usersFeature } from './users/users.feature';

/**
 * The one composition list: every feature of the application, each declared in its own
 * `src/<feature>/<feature>.feature.ts`. Modules, config fragments and migrations are collected from here
 * (src/platform/composition); readiness checks and metrics are providers of each feature's module.
 * `npm run generate:feature` appends here; nothing else outside a feature's folder changes for it.
 */
export const FEATURES = [usersFeature];
