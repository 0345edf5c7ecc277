// Bounds that keep memory independent of what a (possibly lying) file claims.

/** Largest frame we accept. tcpdump's default snap length is 262144, so real frames fit. */
export const MAX_CAPLEN = 262144;
/** Largest pcapng block we load into memory (EPB with a maximal frame plus generous options). */
export const MAX_BLOCK = 1024 * 1024;
/** Initial read chunk; the window grows only when one record needs more (up to MAX_BLOCK). */
export const CHUNK = 1024 * 1024;
