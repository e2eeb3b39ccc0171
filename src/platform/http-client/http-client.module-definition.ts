import { ConfigurableModuleBuilder, type Provider } from '@nestjs/common';
import { HttpClientCoreModule } from './http-client-core.module';
import { httpClientToken } from './http-client.constants';
import type { HttpClientExtras, HttpClientOptions } from './http-client-options.interface';
import type { HttpClient } from './http-client';
import { HttpClientRegistry } from './http-client.registry';

/** The DI token of one `forFeature` module's options (each module instance has its own). */
export const HTTP_CLIENT_OPTIONS = 'ballast:http-client:options';

export const {
  ConfigurableModuleClass: HttpClientConfigurableModule,
  OPTIONS_TYPE: HTTP_CLIENT_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: HTTP_CLIENT_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<HttpClientOptions>({ optionsInjectionToken: HTTP_CLIENT_OPTIONS })
  .setClassMethodName('forFeature')
  .setExtras<HttpClientExtras>({ name: '' }, (definition, { name }) => {
    const client: Provider = {
      provide: httpClientToken(name),
      inject: [HttpClientRegistry, HTTP_CLIENT_OPTIONS],
      useFactory: (registry: HttpClientRegistry, options: HttpClientOptions): HttpClient => registry.register(name, options),
    };
    return {
      ...definition,
      imports: [...(definition.imports ?? []), HttpClientCoreModule],
      providers: [...(definition.providers ?? []), client],
      exports: [client],
    };
  })
  .build();
