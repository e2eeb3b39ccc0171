import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { makeCounterProvider } from '@willsoto/nestjs-prometheus';
import type { AllConfig } from '../config/app-config';
import { HttpClientModule } from '../platform/http-client';
import { UserProfilesService } from './user-profiles.service';
import { User } from './user.entity';
import { UsersController } from './users.controller';
import { PROFILE_UPSTREAM, USERS_CREATED_METRIC } from './users.constants';
import { UsersService } from './users.service';

/** The example feature module: copy this folder to add a feature. */
@Module({
  imports: [
    TypeOrmModule.forFeature([User]),
    // The profile upstream: its URL and a short timeout (optional enrichment) from the feature's own variables.
    HttpClientModule.forFeatureAsync({
      name: PROFILE_UPSTREAM,
      inject: [ConfigService],
      useFactory: (config: ConfigService<AllConfig, true>) => ({
        baseUrl: config.get('users.profileServiceUrl', { infer: true }),
        timeoutMs: config.get('users.profileTimeoutMs', { infer: true }),
      }),
    }),
  ],
  controllers: [UsersController],
  providers: [UsersService, UserProfilesService, makeCounterProvider({ name: USERS_CREATED_METRIC, help: 'Users created through the API.' })],
})
export class UsersModule {}
