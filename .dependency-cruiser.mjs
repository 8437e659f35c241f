// The server's dependency rule (../shared/STYLE.md, docs/architecture.md), checked by
// `npm run check:deps` inside `npm run check`, so the layering cannot rot one import at a time.
// Type-only imports count: a service that imports an adapter's type still depends on it.
const src = '^apps/server/src/';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'An import cycle makes load order matter and hides which module owns what.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment:
        "domain/ imports only domain/, @ringside/protocol and errors.ts (the one error hierarchy: classes with a code, no I/O); no services, no ports. Its tests may also build fixtures with the ports' fakes.",
      from: { path: `${src}domain/`, pathNot: '\\.test\\.ts$' },
      to: {
        pathNot: [`${src}domain/`, '^packages/protocol/', `${src}errors\\.ts$`],
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'domain-tests-no-io',
      severity: 'error',
      comment:
        "domain/ tests stay unit tests: the domain, protocol, errors and the ports' fakes only.",
      from: { path: `${src}domain/.*\\.test\\.ts$` },
      to: {
        pathNot: [
          `${src}domain/`,
          '^packages/protocol/',
          `${src}errors\\.ts$`,
          `${src}ports/`,
          '^node_modules/',
        ],
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'domain-no-node-core',
      severity: 'error',
      comment: 'domain/ does no I/O: no Node built-in modules.',
      from: { path: `${src}domain/`, pathNot: '\\.test\\.ts$' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'services-not-outward',
      severity: 'error',
      comment:
        'services/ reach the outside through ports/ only: never adapters/, http/, ws/ or roles/ (not even types).',
      from: { path: `${src}services/` },
      to: { path: `${src}(adapters|http|ws|roles)/` },
    },
    {
      name: 'services-no-database-clients',
      severity: 'error',
      comment:
        'services/ hold no SQL and no Redis commands: the pg and ioredis clients belong to adapters/ (and roles/, which build them).',
      from: { path: `${src}services/` },
      to: { path: '(^|/)node_modules/(@types/)?(pg|ioredis)/' },
    },
    {
      name: 'adapters-not-upward',
      severity: 'error',
      comment: 'adapters/ implement ports: they never import services/, http/, ws/ or roles/.',
      from: { path: `${src}adapters/` },
      to: { path: `${src}(services|http|ws|roles)/` },
    },
    {
      name: 'transport-not-adapters',
      severity: 'error',
      comment:
        'http/ and ws/ are transport: they call services and ports, built for them in roles/.',
      from: { path: `${src}(http|ws)/` },
      to: { path: `${src}(adapters|roles)/` },
    },
    {
      name: 'ports-are-interfaces',
      severity: 'error',
      comment:
        'ports/ are interfaces (and their fakes): they import domain/, protocol and errors only.',
      from: { path: `${src}ports/` },
      to: { path: `${src}(services|adapters|http|ws|roles)/` },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
