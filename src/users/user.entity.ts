import { Column, CreateDateColumn, Entity, PrimaryColumn, VersionColumn } from 'typeorm';

/** A user of the example feature. Ids are UUIDv7: time-ordered, so they double as the pagination key. */
@Entity({ name: 'users' })
export class User {
  @PrimaryColumn('uuid')
  id!: string;

  /** Unique without regard to case (a unique index on `lower(email)`). */
  @Column({ type: 'varchar', length: 320 })
  email!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** Bumped by every write; the ETag is this version, so If-Match can refuse a write based on an older one. */
  @VersionColumn({ type: 'integer', default: 1 })
  version!: number;
}
