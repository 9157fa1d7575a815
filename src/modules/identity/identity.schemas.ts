import { z } from 'zod';

/** Staff sign-in form. Messages follow the GOV.UK error message pattern. */
export const signInSchema = z.object({
  email: z
    .string({ message: 'Enter your email address' })
    .trim()
    .min(1, 'Enter your email address')
    .max(254, 'Email address must be 254 characters or fewer')
    .pipe(z.email({ message: 'Enter an email address in the correct format, like name@council.gov.uk' })),
  password: z
    .string({ message: 'Enter your password' })
    .min(1, 'Enter your password')
    .max(200, 'Password must be 200 characters or fewer'),
});

/** Passwords people pick first; refused whatever their length. */
const COMMON_PASSWORDS = new Set([
  'password1234',
  'passwordpassword',
  '123456789012',
  'qwertyuiopas',
  'letmeinletmein',
  'frontdoor-demo-1',
  'correct horse battery staple',
]);

/**
 * Setting a staff password (one-time link): at least 12 characters (NCSC: three random words make a good
 * one), not a well-known password, not the email address, typed twice the same.
 */
export function setPasswordSchema(email: string) {
  const local = email.split('@')[0]?.toLowerCase() ?? '';
  return z
    .object({
      password: z
        .string({ message: 'Enter a new password' })
        .min(1, 'Enter a new password')
        .min(12, 'Password must be 12 characters or more')
        .max(200, 'Password must be 200 characters or fewer')
        .refine((p) => !COMMON_PASSWORDS.has(p.toLowerCase()), 'Choose a password that is harder to guess')
        .refine(
          (p) => local.length < 3 || !p.toLowerCase().includes(local),
          'Password must not contain your email address',
        )
        .refine((p) => new Set(p).size >= 5, 'Choose a password that is harder to guess'),
      confirm: z.string({ message: 'Enter the password again' }).min(1, 'Enter the password again'),
    })
    .superRefine((value, ctx) => {
      if (value.confirm && value.password !== value.confirm)
        ctx.addIssue({ code: 'custom', path: ['confirm'], message: 'The passwords do not match' });
    });
}
