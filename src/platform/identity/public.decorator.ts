import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';
import { PUBLIC_METADATA } from './identity.constants';

/**
 * Marks a route (or a controller) as open to anyone: no credential is read. Routes under `/api` need a
 * principal unless they carry this. In the OpenAPI document the operation gets the empty security requirement (`security: [{}]`).
 */
export function Public(): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(PUBLIC_METADATA, true), ApiSecurity({}));
}
