/** A tag of the OpenAPI document: a feature's name (its controllers' `@ApiTags`) and one line on what it is. */
export interface OpenApiTag {
  name: string;
  description: string;
}

/**
 * The features' tags, provided by the composition root (each feature's `defineFeature({ name, description })`),
 * so the platform describes every tag without knowing any feature.
 */
export const OPENAPI_FEATURE_TAGS = Symbol('ballast:openapi:feature-tags');
