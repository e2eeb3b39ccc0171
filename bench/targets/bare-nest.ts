import 'reflect-metadata';
import { Controller, Get, Injectable, Module, NotFoundException, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import { Column, Entity, PrimaryColumn, Repository } from 'typeorm';

/** Bare NestJS 12 + platform-express + TypeORM serving the same routes, with none of Ballast's platform. */
@Entity({ name: 'users' })
class User {
  @PrimaryColumn('uuid') id!: string;
  @Column() email!: string;
  @Column() name!: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

@Injectable()
class UsersService {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}
  async findOne(id: string) {
    const user = await this.users.findOneBy({ id });
    if (!user) throw new NotFoundException();
    return { id: user.id, email: user.email, name: user.name, createdAt: user.createdAt.toISOString() };
  }
}

@Controller('api/v1/users')
class UsersController {
  constructor(private readonly users: UsersService) {}
  @Get(':id') findOne(@Param('id') id: string) {
    return this.users.findOne(id);
  }
}

/** GET /bench/json → `{"ok":true}`: Nest's own floor, without a database. */
@Controller('bench')
class JsonController {
  @Get('json') json() {
    return { ok: true };
  }
}

@Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'postgres',
      url: process.env['DATABASE_URL'],
      entities: [User],
      poolSize: Number(process.env['DB_POOL_MAX'] ?? 20),
    }),
    TypeOrmModule.forFeature([User]),
  ],
  controllers: [UsersController, JsonController],
  providers: [UsersService],
})
class BareModule {}

void (async () => {
  const app = await NestFactory.create(BareModule, { logger: ['error'] });
  await app.listen(Number(process.env['PORT']), '127.0.0.1');
  process.stdout.write('ready\n');
})();

// Exit through process.exit on SIGTERM, so that `--cpu-prof` (bench/profile) writes its profile.
process.once('SIGTERM', () => process.exit(0));
