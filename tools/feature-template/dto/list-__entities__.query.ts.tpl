import { PageQuery } from '../../platform/pagination';

/** Query of `GET /api/v1/__entities__`: the platform's bounded page size and opaque cursor. */
export class List__Entities__Query extends PageQuery {}
