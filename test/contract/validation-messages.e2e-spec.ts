import request from 'supertest';
import { createTestApp, type TestApp } from '../utils/create-test-app';

/** Validation problems say one clear thing per field (RFC 9457 problem+json with an `errors` list). */
describe('validation messages (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('an empty body gets one "is required" message per missing field', async () => {
    const res = await request(t.server).post('/api/v1/users').send({});
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.errors).toEqual([
      { field: 'email', message: 'email is required' },
      { field: 'name', message: 'name is required' },
    ]);
  });

  it('no body at all gets the same "is required" messages', async () => {
    const res = await request(t.server).post('/api/v1/users');
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { field: 'email', message: 'email is required' },
      { field: 'name', message: 'name is required' },
    ]);
  });

  it('a bad field value gets one message, not every rule it breaks', async () => {
    const res = await request(t.server).post('/api/v1/users').send({ email: 42, name: 'Ada' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors[0].field).toBe('email');
  });

  it('a value of the wrong type is told its type first, not a rule that only a string could break', async () => {
    const res = await request(t.server).post('/api/v1/users').send({ email: 'q@example.com', name: 123 });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'name', message: 'name must be a string' }]);
    const email = await request(t.server).post('/api/v1/users').send({ email: 42, name: 'Ada' });
    expect(email.body.errors).toEqual([{ field: 'email', message: 'email must be a string' }]);
  });

  it('null for a required field says it must not be null', async () => {
    const res = await request(t.server).post('/api/v1/users').send({ email: 'q@example.com', name: null });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'name', message: 'name must not be null' }]);
  });

  it('a string that breaks several rules gets the first rule as written', async () => {
    const res = await request(t.server)
      .post('/api/v1/users')
      .send({ email: `${'x'.repeat(320)}@example.com`, name: 'Ada' });
    expect(res.body.errors).toEqual([{ field: 'email', message: 'email must be shorter than or equal to 320 characters' }]);
  });

  it.each(['abc', '1.5', '0', '101'])('limit=%s gets the one message that states the accepted range', async (limit) => {
    const res = await request(t.server).get('/api/v1/users').query({ limit });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'limit', message: 'limit must be an integer from 1 to 100' }]);
  });

  it.each(['null', '42', '"text"'])('a JSON %s body is called what it is (not an object), not "not valid JSON"', async (body) => {
    const res = await request(t.server).post('/api/v1/users').set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(400);
    expect(res.body.detail).toBe('The request body must be a JSON object.');
  });

  it('malformed JSON is still called not valid JSON', async () => {
    const res = await request(t.server).post('/api/v1/users').set('Content-Type', 'application/json').send('{"email":');
    expect(res.status).toBe(400);
    expect(res.body.detail).toBe('The request body is not valid JSON.');
  });
});
