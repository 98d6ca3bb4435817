/** Exit codes users script against: 0 ok / nothing to change, 1 changes pending, 2 error. */
export const EXIT_OK = 0;
export const EXIT_CHANGES = 1;
export const EXIT_ERROR = 2;
