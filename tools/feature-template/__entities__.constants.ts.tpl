/** The feature's own metric: __entities_words__ created (docs/extending.md, "A metric"). */
export const __ENV_PREFIX___CREATED_METRIC = '__table___created_total';
