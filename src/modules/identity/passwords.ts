/** Password hashing with argon2id (OWASP's recommended parameters: 19 MiB, 2 iterations, 1 lane). */
import { hash, verify } from '@node-rs/argon2';

const options = {
  algorithm: 2 /* Algorithm.Argon2id (a const enum) */,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

export async function verifyPassword(hashed: string, password: string): Promise<boolean> {
  try {
    return await verify(hashed, password);
  } catch {
    return false;
  }
}

/** A fixed hash to verify against when the account does not exist, so timing does not reveal accounts. */
export const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$L6Z0KK/t7rTfYNHe9BoIhA$Ukp8m/vfw4NVcFBKphw7RR2LuxCh8c04QnEN9Yn2oP8';
