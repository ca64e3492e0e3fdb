/**
 * `npm run admin -- <command> <arguments>`: administrator tasks on the database of DATABASE_URL
 * or, when it is unset, of the embedded PostgreSQL a running `npm start` serves.
 *
 *   verify-trader <email>              give a trader the verified badge (sets trader_verified_at)
 *   make-trader <email>                make a user a trader (what users can also do themselves)
 *   audit trade|subscription <id>      print the audit log of a trade or a subscription
 *
 * Exit status: 0 done, 1 refused or failed (the reason on stderr), 2 wrong usage.
 */
import { ConfigError, loadConfig } from '../config';
import { redactUrl } from '../db/redact-url';
import { isAppError } from '../errors';
import { createLogger } from '../logger';
import { isAuditedKind, readAuditLog } from '../services/audit/read-audit-log';
import type { ServiceContext } from '../services/context';
import { makeTrader } from '../services/subscriptions/make-trader';
import { verifyTrader } from '../services/subscriptions/verify-trader';
import { formatAuditReport } from './audit-report';

const USAGE = `Usage: npm run admin -- <command> <email>
       npm run admin -- audit trade|subscription <id>

Commands:
  verify-trader <email>            give the trader with this email the verified badge
  make-trader <email>              make the user with this email a trader
  audit trade|subscription <id>    print who changed that trade or subscription, when, and what

Uses DATABASE_URL, or the embedded database of a running \`npm start\` when it is unset.`;

class UsageError extends Error {}

/** A command: how to check its arguments (a UsageError when wrong), then what it does. */
type Command = {
  check: (args: string[]) => void;
  run: (ctx: ServiceContext, args: string[]) => Promise<string>;
};

function oneEmail(name: string) {
  return (args: string[]) => {
    if (args.length !== 1) throw new UsageError(`${name} takes exactly one email address`);
  };
}

const COMMANDS: Record<string, Command> = {
  'verify-trader': {
    check: oneEmail('verify-trader'),
    run: async (ctx, [email = '']) => {
      const result = await verifyTrader({ ctx, input: { email } });
      const when = result.verifiedAt.toISOString();
      return result.alreadyVerified
        ? `${result.email} (user ${result.userId}) was already a verified trader, since ${when}`
        : `Verified trader ${result.email} (user ${result.userId}) at ${when}`;
    },
  },
  'make-trader': {
    check: oneEmail('make-trader'),
    run: async (ctx, [email = '']) => {
      const result = await makeTrader({ ctx, input: { email } });
      return result.alreadyTrader
        ? `${result.email} (user ${result.userId}) was already a trader`
        : `${result.email} (user ${result.userId}) is now a trader`;
    },
  },
  audit: {
    check: ([kind = '', ...rest]) => {
      if (!isAuditedKind(kind) || rest.length !== 1) {
        throw new UsageError('audit takes trade or subscription, then its id');
      }
    },
    run: async (ctx, [kind = '', id = '']) => {
      if (!isAuditedKind(kind)) throw new UsageError('audit takes trade or subscription, then its id');
      return formatAuditReport(kind, id, await readAuditLog({ ctx, input: { kind, id } }));
    },
  },
};

/** Why the database could not be reached, in words an operator can act on; undefined if not that. */
function connectionProblem(error: unknown, url: string, embedded: boolean): string | undefined {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  const where = redactUrl(url);
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT') {
    return embedded
      ? `cannot reach the embedded database at ${where}: start the app (npm start) or set DATABASE_URL`
      : `cannot reach the database at ${where} (${code})`;
  }
  if (code === '3D000') return `the database at ${where} does not exist; run npm run db:migrate first`;
  if (code === '42P01') return `the database at ${where} is not migrated; run npm run db:migrate first`;
  if (code === '28P01') return `the database at ${where} refused the password`;
  return undefined;
}

async function run(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command '${name}'`);
  command.check(args);

  const config = loadConfig();
  // Loaded once the command line is valid: wrong usage is answered without loading every service.
  const { createRuntime } = await import('../runtime');
  // The database is reached on the first query, so a connection problem shows up in the command.
  const runtime = await createRuntime(config, { log: createLogger(config), role: 'cli' });
  try {
    console.log(await command.run(runtime.systemContext(`admin-cli:${name}`), args));
    return 0;
  } catch (error) {
    const problem = connectionProblem(error, runtime.databaseUrl, config.databaseUrl === undefined);
    if (problem) {
      console.error(`admin: ${problem}`);
      return 1;
    }
    throw error;
  } finally {
    await runtime.stop();
  }
}

try {
  process.exitCode = await run(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`admin: ${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else if (isAppError(error) && error.code !== 'INTERNAL') {
    console.error(`admin: ${error.message}`);
    process.exitCode = 1;
  } else if (error instanceof ConfigError) {
    console.error(`admin: ${error.message}`);
    process.exitCode = 1;
  } else {
    console.error('admin: unexpected failure');
    console.error(error);
    process.exitCode = 1;
  }
}
