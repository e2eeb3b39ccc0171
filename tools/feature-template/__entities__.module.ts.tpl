import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { makeCounterProvider } from '@willsoto/nestjs-prometheus';
import { __Entity__ } from './__entity__.entity';
import { __Entities__Controller } from './__entities__.controller';
import { __ENV_PREFIX___CREATED_METRIC } from './__entities__.constants';
import { __Entities__Readiness } from './__entities__.readiness'; // @with-readiness
import { __Entities__Service } from './__entities__.service';

/** The __entities_words__ feature. */
@Module({
  imports: [TypeOrmModule.forFeature([__Entity__])],
  controllers: [__Entities__Controller],
  providers: [
    __Entities__Service,
    makeCounterProvider({ name: __ENV_PREFIX___CREATED_METRIC, help: 'Number of __entities_words__ created through the API.' }),
    __Entities__Readiness, // @with-readiness
  ],
})
export class __Entities__Module {}
