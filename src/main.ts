// First: refuses an older Node with a clear message before any dependency can fail on it.
import './node-version-check';
// Second: the tracing SDK must patch node:http, pg and undici before anything requires them (docs/tracing.md).
import './platform/tracing/register';
import { bootstrap } from './bootstrap';

void bootstrap();
