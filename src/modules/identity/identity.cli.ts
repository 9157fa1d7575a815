/**
 * `npm run admin -- create --email … --authority …`: the first administrator of a new installation (or
 * a new administrator later). Prints a one-time link to set the password; nothing is emailed.
 */
import { parseArgs } from 'node:util';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/index.ts';
import {
  AccountSetupError,
  PASSWORD_LINK_HOURS,
  StaffAccounts,
  isAuthorityKind,
} from './identity.accounts.ts';

export const ADMIN_USAGE = `Usage: npm run admin -- create --email <email> --authority <council code or name> [options]

Makes the person an administrator of the council and prints a link to set their password.
The link works once and expires after ${PASSWORD_LINK_HOURS} hours.

  --email E        their work email address (they sign in with it)
  --authority A    the council's code or exact name; on a new installation with no councils yet,
                   the council is created with this name
  --name N         their name as staff see it (default: the part of the email before @)
  --kind K         for a new council: county, district, city, unitary (default) or parish

Example:
  npm run admin -- create --email sam.jones@wessex.gov.uk --authority "Wessex Council"`;

/** Runs the admin command. Throws {@link AccountSetupError} for anything the user can fix. */
export async function runAdminCli(
  argv: string[],
  deps: { db: Db; clock: Clock; publicUrl: string },
  output: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<void> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new AccountSetupError(`${(error as Error).message}\n\n${ADMIN_USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    output(ADMIN_USAGE);
    return;
  }
  if (positionals[0] !== 'create' || positionals.length > 1) throw new AccountSetupError(ADMIN_USAGE);
  if (!values.email || !values.authority)
    throw new AccountSetupError(`Give both --email and --authority.\n\n${ADMIN_USAGE}`);
  if (values.kind !== undefined && !isAuthorityKind(values.kind))
    throw new AccountSetupError(
      `--kind must be county, district, city, unitary or parish, not "${values.kind}"`,
    );
  const accounts = new StaffAccounts(deps.db, deps.clock, deps.publicUrl);
  const result = await accounts.createAdministrator({
    email: values.email,
    authority: values.authority,
    name: values.name,
    kind: values.kind !== undefined && isAuthorityKind(values.kind) ? values.kind : undefined,
  });
  output(
    [
      result.authority.created
        ? `Created the council ${result.authority.name} (code ${result.authority.code}).`
        : null,
      result.created
        ? `Created ${result.email}, an administrator of ${result.authority.name}.`
        : `${result.email} is now an administrator of ${result.authority.name}.`,
      '',
      `Send them this link to set their password (it works once, until ${result.expiresAt.toISOString()}):`,
      '',
      `  ${result.url}`,
      '',
    ]
      .filter((line) => line !== null)
      .join('\n'),
  );
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      email: { type: 'string' },
      authority: { type: 'string' },
      name: { type: 'string' },
      kind: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
}
