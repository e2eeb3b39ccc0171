/** Name of the unique index that makes emails case-insensitively unique. */
export const USERS_EMAIL_UNIQUE_INDEX = 'users_email_lower_key';

/** A feature's own metric: users created (see docs/extending.md, "Add a metric"). */
export const USERS_CREATED_METRIC = 'users_created_total';

/** Name of the profile service upstream (`@InjectHttpClient`, metric label `upstream="profile"`). */
export const PROFILE_UPSTREAM = 'profile';
