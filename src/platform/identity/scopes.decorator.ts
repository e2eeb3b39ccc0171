import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { REQUIRED_SCOPES_EXTENSION } from '../openapi';
import { SCOPES_METADATA } from './identity.constants';

/**
 * The scopes a principal needs for the route (all of them); a route under `/api` without it needs a principal
 * with any scope. The OpenAPI document lists them (`x-required-scopes`) with the operation's security and its
 * 401/403 answers.
 */
export function Scopes(...scopes: string[]): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(SCOPES_METADATA, scopes), ApiExtension(REQUIRED_SCOPES_EXTENSION, scopes));
}
