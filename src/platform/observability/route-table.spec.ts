import { RouteTable } from './route-table';

describe(RouteTable.name, () => {
  const table = new RouteTable([
    { template: '/api/v1/users', methods: ['GET', 'POST'] },
    { template: '/api/v1/users/:id', methods: ['GET'] },
    { template: '/api/v1/users/:id/profile', methods: ['GET'] },
    { template: '/files/*path', methods: ['*'] },
  ]);

  it('names the template the router would choose for a method and a raw path', () => {
    expect(table.templateOf('POST', '/api/v1/users')).toBe('/api/v1/users');
    expect(table.templateOf('GET', '/api/v1/users?limit=5&cursor=x')).toBe('/api/v1/users');
    expect(table.templateOf('GET', '/api/v1/users/01939e6a-0000-7000-8000-000000000000')).toBe('/api/v1/users/:id');
    expect(table.templateOf('GET', '/api/v1/users/abc/profile')).toBe('/api/v1/users/:id/profile');
    expect(table.templateOf('DELETE', '/files/a/b.txt')).toBe('/files/*path');
  });

  it('matches as Express does by default: case-insensitive, a trailing slash allowed, HEAD served by GET', () => {
    expect(table.templateOf('POST', '/API/V1/Users/')).toBe('/api/v1/users');
    expect(table.templateOf('HEAD', '/api/v1/users/x')).toBe('/api/v1/users/:id');
  });

  it('honours strict and case-sensitive routing', () => {
    const strict = new RouteTable([{ template: '/api/v1/users', methods: ['POST'] }], { caseSensitive: true, strict: true });
    expect(strict.templateOf('POST', '/api/v1/users')).toBe('/api/v1/users');
    expect(strict.templateOf('POST', '/api/v1/users/')).toBeUndefined();
    expect(strict.templateOf('POST', '/API/v1/users')).toBeUndefined();
  });

  it('names nothing for a path no route has, or a method the path does not answer', () => {
    expect(table.templateOf('POST', '/api/v1/users/x')).toBeUndefined();
    expect(table.templateOf('DELETE', '/api/v1/users')).toBeUndefined();
    expect(table.templateOf('GET', '/api/v1/users/a/b')).toBeUndefined();
    expect(table.templateOf('GET', '/wp-admin/%zz')).toBeUndefined();
    expect(table.templateOf(undefined, '/api/v1/users')).toBeUndefined();
    expect(table.templateOf('GET', undefined)).toBeUndefined();
  });
});
