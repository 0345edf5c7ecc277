// What went wrong with a file, in plain words and naming it: `decode /tmp` says
// "/tmp: is a folder, not a file", not "EISDIR: illegal operation on a directory, read".

const PLAIN: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'on a read-only file system',
  EEXIST: 'already exists',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error',
  EFBIG: 'the file is too large',
  EBUSY: 'busy',
  ETXTBSY: 'busy',
  ENXIO: 'no such device',
  ENODEV: 'no such device',
};

/** A Node file-system error (it has an errno code). */
export function isFileError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}

/** The error in plain words, without its code, system call or path. */
export function plainFileError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = (e as NodeJS.ErrnoException).code;
  if (code && PLAIN[code]) return PLAIN[code];
  // "ECODE: what, syscall 'path'" -> "what".
  return e.message.replace(/^E[A-Z0-9]+: /, '').replace(/, \w+(?: '[^']*')?(?: -> '[^']*')?$/, '');
}

/** `file: what went wrong`, in plain words. */
export function describeFileError(file: string, e: unknown): string {
  return `${file}: ${plainFileError(e)}`;
}
