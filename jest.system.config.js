/**
 * `npm run test:system`: the suites that need a system tool no npm package ships — a Redis server, HAProxy,
 * promtool. A missing tool fails its suite with the install command (never a skip); `.ci/run` installs them.
 */
const base = require('./jest.config');

module.exports = { ...base, testRegex: '.*\\.system-spec\\.ts$' };
