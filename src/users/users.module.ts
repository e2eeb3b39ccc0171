import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { makeCounterProvider } from '@willsoto/nestjs-prometheus';
import { HttpClientModule } from '../platform/http-client';
import { UserProfilesService } from './user-profiles.service';
import { User } from './user.entity';
import { usersConfig } from './users.config';
import { UsersController } from './users.controller';
import { PROFILE_UPSTREAM, USERS_CREATED_METRIC } from './users.constants';
import { UsersService } from './users.service';

/** The example feature: what `npm run generate:feature` writes, plus the extras docs/extending.md lists. */
@Module({
  imports: [
    TypeOrmModule.forFeature([User]),
    // The profile upstream: its URL and a short timeout (optional enrichment) from the feature's own variables.
    HttpClientModule.forFeatureAsync({
      name: PROFILE_UPSTREAM,
      inject: [ConfigService],
      useFactory: (config: ConfigService) => {
        const { profileServiceUrl, profileTimeoutMs } = usersConfig.from(config);
        return { baseUrl: profileServiceUrl, timeoutMs: profileTimeoutMs };
      },
    }),
  ],
  controllers: [UsersController],
  providers: [
    UsersService,
    UserProfilesService,
    makeCounterProvider({ name: USERS_CREATED_METRIC, help: 'Users created through the API.' }),
  ],
})
export class UsersModule {}
