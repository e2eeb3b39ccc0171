import type { IncomingMessage } from 'node:http';
import { methodLabel, OTHER_METHOD, routeLabel, UNMATCHED_ROUTE } from './route-label';

describe(routeLabel.name, () => {
  it('is the matched route template', () => {
    expect(routeLabel({ route: { path: '/api/v1/users/:id' } } as unknown as IncomingMessage)).toBe('/api/v1/users/:id');
  });

  it('is the fixed unmatched value without a matched route, or with a non-string path', () => {
    expect(routeLabel({ url: '/wp-admin/x.php' } as IncomingMessage)).toBe(UNMATCHED_ROUTE);
    expect(routeLabel({ route: { path: /x/ } } as unknown as IncomingMessage)).toBe(UNMATCHED_ROUTE);
  });
});

describe(methodLabel.name, () => {
  it('keeps standard methods and folds exotic ones', () => {
    expect(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].map(methodLabel)).toEqual(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
    expect(['PROPFIND', 'MKCOL', 'BREW', undefined].map(methodLabel)).toEqual([OTHER_METHOD, OTHER_METHOD, OTHER_METHOD, OTHER_METHOD]);
  });
});
