import { Inject } from '@nestjs/common';
import { httpClientToken } from './http-client.constants';

/** Injects the {@link HttpClient} of upstream `name`, registered with `HttpClientModule.forFeature({ name, ... })`. */
export function InjectHttpClient(name: string): ParameterDecorator & PropertyDecorator {
  return Inject(httpClientToken(name));
}
