import { hash, verify } from '@node-rs/argon2';

/** argon2id with the library's defaults (19 MiB, 2 passes, OWASP's recommended minimum); the hash carries its salt and settings. */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return verify(passwordHash, password).catch(() => false);
}

let decoy: Promise<string> | undefined;

/** The work of checking a password, for a username that does not exist: the answer then takes as long as for a real one. */
export async function verifyDecoy(password: string): Promise<void> {
  decoy ??= hash('a decoy that is nobody’s password');
  await verifyPassword(await decoy, password);
}
