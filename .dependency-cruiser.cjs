/**
 * Ballast's dependency rules (docs/architecture.md draws them). `npm run lint:deps` runs them in CI.
 *
 * Platform folders form layers: a folder may import only folders listed before it. The order is the one
 * documented in docs/architecture.md; a new platform folder is added here, in its place.
 */
const PLATFORM_LAYERS = [
  'request-context',
  // Span helpers on OpenTelemetry's API only: errors, observability, resilience and http-client mark spans.
  'spans',
  'errors',
  'observability',
  // Above observability: a second signal drops the log lines still queued (log-destination.ts).
  'lifecycle',
  'security',
  'pagination',
  'openapi',
  'resilience',
  'health',
  'database',
  'http-client',
  'rate-limit',
  // Above rate-limit: an idempotency key is scoped by the rate-limit client key (@RateLimitKey).
  'idempotency',
  // Authentication: verifies credentials (JWKS through http-client, API keys in the database) and sets the principal
  // in the request context, which rate-limit and idempotency read from there (never from this folder).
  'identity',
  // The tracing module: flushes spans at shutdown through the lifecycle, traces database checkouts.
  'tracing',
  // The operations surface: serves health's and observability's reports on its own listener, reads the database's migrations.
  'management',
  'http-server',
  'composition',
];

/** One rule per layer: `platform/<layer>` must not import any folder above it. */
const layerRules = PLATFORM_LAYERS.map((layer, index) => {
  const above = PLATFORM_LAYERS.slice(index + 1);
  return {
    name: `layer-${layer}`,
    comment: `src/platform/${layer} sits below ${above.join(', ') || 'nothing'} (docs/architecture.md: dependency direction)`,
    severity: 'error',
    from: { path: `^src/platform/${layer}/` },
    to: { path: above.length ? `^src/platform/(${above.join('|')})/` : '^$' },
  };
}).filter((rule) => rule.to.path !== '^$');

/** Folders directly under src/ that are not features. */
const NOT_FEATURES = 'platform|config|[^/]+\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycles, at any depth.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'platform-layer-known',
      comment: 'Every platform folder has its place in PLATFORM_LAYERS (.dependency-cruiser.cjs).',
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: '^src/platform/', pathNot: `^src/platform/(${PLATFORM_LAYERS.join('|')})/` },
    },
    {
      name: 'config-is-a-leaf',
      comment: 'src/config reads the environment; it imports no platform or feature code.',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: '^src/', pathNot: '^src/config/' },
    },
    {
      name: 'platform-knows-no-feature',
      comment: 'Platform modules know nothing of features.',
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: '^src/', pathNot: '^src/(platform|config)/' },
    },
    {
      name: 'feature-uses-platform-index',
      comment: 'Features (and the composition root) import a platform folder only through its index.ts.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/platform/' },
      // main.ts's first import starts the OpenTelemetry SDK before anything it instruments loads: a deep path by
      // design (the index would load Nest first).
      to: { path: '^src/platform/[^/]+/', pathNot: ['^src/platform/[^/]+/index\\.ts$', '^src/platform/tracing/register\\.ts$'] },
    },
    {
      name: 'feature-keeps-to-itself',
      comment: 'A feature never imports another feature.',
      severity: 'error',
      from: { path: `^src/((?!${NOT_FEATURES})[^/]+)/` },
      to: { path: `^src/(?!${NOT_FEATURES})[^/]+/`, pathNot: '^src/$1/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '\\.spec\\.ts$' },
  },
};
