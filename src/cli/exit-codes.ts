// Exit codes: README.md, "Commands"; docs/architecture.md, "Errors and exit codes".
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_CHANGES = 2;
export const EXIT_INVALID_CONFIG = 3;
