import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { __Entity__ } from './__entity__.entity';
import { __Entities__Controller } from './__entities__.controller';
import { __Entities__Service } from './__entities__.service';

/** The __entities_words__ feature. */
@Module({
  imports: [TypeOrmModule.forFeature([__Entity__])],
  controllers: [__Entities__Controller],
  providers: [__Entities__Service],
})
export class __Entities__Module {}
