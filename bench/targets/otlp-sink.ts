import { createServer } from 'node:http';

/**
 * A local OTLP/HTTP receiver for the bench's tracing variants: reads every export request and answers 200
 * with an empty (valid) export response, keeping nothing. PORT from the environment.
 */
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const json = String(req.headers['content-type']).startsWith('application/json');
    res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
    res.end(json ? '{}' : '');
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env['PORT'] ?? 4318), process.env['HOST'] ?? '127.0.0.1');
