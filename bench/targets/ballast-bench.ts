/**
 * Ballast for the bench's hot path: src/main.ts plus the bench feature's GET /bench/json (ballast-app.ts), so
 * one server answers both the PostgreSQL read and the JSON floor. Imports in main.ts's order: the Node version
 * check, then the tracing register before anything requires node:http, pg or undici.
 */
import '../../src/node-version-check';
import '../../src/platform/tracing/register';
import { bootstrapBallast } from './ballast-app';

void bootstrapBallast('bench');
