/** The genops release; recorded in every artifact header. Bumped with each release tag. */
export const GENOPS_VERSION = '0.1.0';
