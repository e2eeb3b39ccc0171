/** Name of the unique index that makes emails case-insensitively unique. */
export const USERS_EMAIL_UNIQUE_INDEX = 'users_email_lower_key';

/** Name of the profile service upstream (`@InjectHttpClient`, metric label `upstream="profile"`). */
export const PROFILE_UPSTREAM = 'profile';
