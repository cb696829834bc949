// "Racy" stamps (git's term): a file written in the same timestamp tick as the moment its metadata was taken could be
// written again without its stamp changing, so a cache must not vouch for it yet. Shared by the digest memo and the
// replay of recorded runs (which must load nothing heavier than this).

/** Fine-grained file systems (ext4, APFS, NTFS, tmpfs) stamp within a few milliseconds of the write. */
const RACY_MARGIN_MS = 100;
/** File systems with whole-second stamps (ext3, HFS+, FAT's 2 s) need a margin above their granularity. */
const RACY_MARGIN_COARSE_MS = 2500;

/** Whether a later write could leave these stamps unchanged, taken at `statTakenAt` (ms since the epoch). */
export function isRacy(stats: { mtimeMs: number; ctimeMs: number }, statTakenAt: number): boolean {
  const coarse = stats.mtimeMs % 1000 === 0 && stats.ctimeMs % 1000 === 0;
  const newest = Math.max(stats.mtimeMs, stats.ctimeMs);
  return newest > statTakenAt - (coarse ? RACY_MARGIN_COARSE_MS : RACY_MARGIN_MS);
}
