/** Public surface of cursor pagination: the query DTO, the page shape and the repository helper. */
export { PageQuery, PAGE_LIMITS } from './page.query';
export { type Page, paginateById } from './paginate';
