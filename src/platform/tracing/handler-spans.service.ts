import { Injectable } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService } from '@nestjs/core';
import { withHandlerSpan } from '../spans';

/**
 * Puts a handler span (`Controller.method`) around every route handler, by wrapping the controllers' route methods
 * on their prototypes — in its constructor, so before Nest registers the routes (app.init) and reads the handlers.
 * Not a global interceptor: an interceptor turns on Nest's interceptor pipeline (RxJS) for every request, sampled
 * or not; the wrapper costs an unsampled request one active-span read.
 */
@Injectable()
export class HandlerSpans {
  constructor(discovery: DiscoveryService) {
    for (const controller of discovery.getControllers()) {
      const type = controller.metatype as (abstract new (...args: never[]) => unknown) | null | undefined;
      if (typeof type !== 'function') continue;
      const prototype = type.prototype as Record<string, unknown>;
      for (const key of Object.getOwnPropertyNames(prototype)) {
        const descriptor = Object.getOwnPropertyDescriptor(prototype, key);
        const method = descriptor?.value as ((...args: unknown[]) => unknown) | undefined;
        if (key === 'constructor' || typeof method !== 'function') continue;
        if (Reflect.getMetadata(PATH_METADATA, method) === undefined || Reflect.getMetadata(METHOD_METADATA, method) === undefined)
          continue;
        Object.defineProperty(prototype, key, { ...descriptor, value: withHandlerSpan(method, `${type.name}.${key}`) });
      }
    }
  }
}
