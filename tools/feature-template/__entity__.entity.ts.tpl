import { Column, CreateDateColumn, Entity, PrimaryColumn, VersionColumn } from 'typeorm';

/** __A_entity_words__. Ids are UUIDv7: time-ordered, so they double as the pagination key. */
@Entity({ name: '__table__' })
export class __Entity__ {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** Bumped by every write; the ETag is this version, so If-Match can refuse a write based on an older one. */
  @VersionColumn({ type: 'integer', default: 1 })
  version!: number;
}
