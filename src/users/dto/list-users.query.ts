import { PageQuery } from '../../platform/pagination';

/** Query of `GET /api/v1/users`: the platform's bounded page size and opaque cursor. */
export class ListUsersQuery extends PageQuery {}
