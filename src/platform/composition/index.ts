/** Public surface of the composition helpers: how a feature declares itself and how the root collects features. */
export { type CollectedFeatures, collectFeatures } from './collect-features';
export { defineFeature, type FeatureDefinition } from './feature-definition';
