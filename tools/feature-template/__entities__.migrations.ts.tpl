import { Create__Entities____timestamp__ } from './migrations/__timestamp__-create-__entities__';

/** The __entities_words__ feature's migrations, in order. */
export const __entitiesCamel__Migrations = [Create__Entities____timestamp__];
