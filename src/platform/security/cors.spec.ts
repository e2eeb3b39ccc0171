import { corsOptions } from './cors';

describe(corsOptions.name, () => {
  it('turns CORS off (no options) when no origin is listed', () => {
    expect(corsOptions({ corsOrigins: [], hstsMaxAgeSeconds: 0 })).toBeUndefined();
  });

  it('allows exactly the listed origins, without credentials', () => {
    expect(corsOptions({ corsOrigins: ['https://a.example.com', 'https://b.example.com'], hstsMaxAgeSeconds: 0 })).toMatchObject({
      origin: ['https://a.example.com', 'https://b.example.com'],
      credentials: false,
    });
  });

  it('allows any origin for a lone *', () => {
    expect(corsOptions({ corsOrigins: ['*'], hstsMaxAgeSeconds: 0 })?.origin).toBe('*');
  });
});
