/** `soniox keys create`: a temporary key for realtime sessions (browsers, mobile apps). */
import type { Command } from 'commander';
import type { CreateTemporaryKeyParams } from '../../types';
import type { Context } from '../context';
import { integer } from '../options';

/** Adds `keys` to the program. */
export function registerKeys(program: Command, ctx: Context): void {
  const keys = program.command('keys').description('temporary API keys: create');
  keys
    .command('create')
    .description('create a temporary key for realtime WebSocket sessions; prints the key')
    .option(
      '--expires <seconds>',
      'seconds within which the key can open sessions (1-3600)',
      integer(1, 3600),
      60,
    )
    .option('--single-use', 'the key opens at most one session')
    .option(
      '--max-session <seconds>',
      'longest session the key may hold open (1-18000)',
      integer(1, 18_000),
    )
    .option('--reference <id>', 'client_reference_id, shown in usage logs')
    .option('--json', 'print { api_key, expires_at } as JSON')
    .action(
      async (flags: {
        expires: number;
        singleUse?: boolean;
        maxSession?: number;
        reference?: string;
        json?: boolean;
      }) => {
        const params: CreateTemporaryKeyParams = {
          usage_type: 'transcribe_websocket',
          expires_in_seconds: flags.expires,
        };
        if (flags.singleUse) params.single_use = true;
        if (flags.maxSession !== undefined) params.max_session_duration_seconds = flags.maxSession;
        if (flags.reference) params.client_reference_id = flags.reference;
        const key = await ctx.client().auth.createTemporaryKey(params, { signal: ctx.signal });
        if (flags.json) ctx.result(JSON.stringify(key, null, 2));
        else {
          ctx.result(key.api_key);
          if (ctx.chatty) ctx.note(`expires at ${key.expires_at}`);
        }
      },
    );
}
