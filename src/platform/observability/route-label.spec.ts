import type { IncomingMessage } from 'node:http';
import { methodLabel, OTHER_METHOD, routeLabel, UNMATCHED_ROUTE } from './route-label';
import { RouteTable } from './route-table';

describe(routeLabel.name, () => {
  it('is the matched route template', () => {
    expect(routeLabel({ route: { path: '/api/v1/users/:id' } } as unknown as IncomingMessage)).toBe('/api/v1/users/:id');
  });

  it('is the fixed unmatched value without a matched route, or with a non-string path', () => {
    expect(routeLabel({ url: '/wp-admin/x.php' } as IncomingMessage)).toBe(UNMATCHED_ROUTE);
    expect(routeLabel({ route: { path: /x/ } } as unknown as IncomingMessage)).toBe(UNMATCHED_ROUTE);
  });

  describe('for a request answered before the router ran (no req.route)', () => {
    const routes = new RouteTable([{ template: '/api/v1/users', methods: ['POST'] }]);
    const refused = { method: 'POST', url: '/api/v1/users' } as IncomingMessage;

    it('is the template of the route the path and method would have reached', () => {
      for (const status of [400, 413, 415, 429, 503, 504]) expect(routeLabel(refused, status, routes)).toBe('/api/v1/users');
      expect(routeLabel({ method: 'POST', url: '/x', originalUrl: '/api/v1/users?x=1' } as unknown as IncomingMessage, 413, routes)).toBe(
        '/api/v1/users',
      );
    });

    it('is unmatched for a path no route has, for a 404 (not looked up), and without a route table', () => {
      expect(routeLabel({ method: 'POST', url: '/nope' } as IncomingMessage, 415, routes)).toBe(UNMATCHED_ROUTE);
      expect(routeLabel(refused, 404, routes)).toBe(UNMATCHED_ROUTE);
      expect(routeLabel(refused, 415)).toBe(UNMATCHED_ROUTE);
    });
  });
});

describe(methodLabel.name, () => {
  it('keeps standard methods and folds exotic ones', () => {
    expect(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].map(methodLabel)).toEqual([
      'GET',
      'HEAD',
      'POST',
      'PUT',
      'PATCH',
      'DELETE',
      'OPTIONS',
    ]);
    expect(['PROPFIND', 'MKCOL', 'BREW', undefined].map(methodLabel)).toEqual([OTHER_METHOD, OTHER_METHOD, OTHER_METHOD, OTHER_METHOD]);
  });
});
