import { ExpressAdapter } from '@nestjs/platform-express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { expressRoutes } from './express-routes';

type Handler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
interface ExpressApp {
  use(handler: Handler): void;
  get(path: string, handler: Handler): void;
  post(path: string, handler: Handler): void;
  all(path: string, handler: Handler): void;
  route(path: string): { all(handler: Handler): void };
  enable(setting: string): void;
}

describe(expressRoutes.name, () => {
  it('reads the routes, their methods and the matching settings of a real Express 5 app', () => {
    // The Express app Nest's adapter creates: the one whose routes the telemetry reads.
    const app = new ExpressAdapter().getInstance<ExpressApp>();
    const noop: Handler = (_req, res) => res.end();
    app.use((_req, _res, next) => next()); // middleware layers have no route and are skipped
    app.get('/api/v1/users', noop);
    app.post('/api/v1/users', noop);
    app.get('/api/v1/users/:id', noop);
    app.all('/any', noop); // Express 5: one route per method it knows
    app.route('/all').all(noop); // a route's own all(): any method
    app.enable('strict routing');
    expect(expressRoutes(app)).toEqual({
      routes: [
        { template: '/api/v1/users', methods: ['GET'] },
        { template: '/api/v1/users', methods: ['POST'] },
        { template: '/api/v1/users/:id', methods: ['GET'] },
        { template: '/any', methods: expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) },
        { template: '/all', methods: ['*'] },
      ],
      matching: { caseSensitive: false, strict: true },
    });
  });

  it('says it cannot read an app that is not Express 5', () => {
    expect(expressRoutes(undefined)).toBeUndefined();
    expect(expressRoutes({ router: {} })).toBeUndefined();
    expect(expressRoutes({ router: { stack: [{ route: { path: /x/, methods: {} } }] }, enabled: () => false })).toBeUndefined();
  });
});
