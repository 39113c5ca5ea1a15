/**
 * Node built-ins that most programs reach late or never, loaded on first use: requiring the
 * package must not load crypto, http or os (a serverless cold start pays for each, and the
 * first client loads http with axios anyway). Node caches a built-in, so a call after the
 * first is a lookup.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- the point of this module: a require at the call, not at load */
import type * as Crypto from 'node:crypto';
import type * as Http from 'node:http';
import type * as Os from 'node:os';

/** `node:crypto`, loaded on first use. */
export const nodeCrypto = (): typeof Crypto => require('node:crypto') as typeof Crypto;

/** `node:http`, loaded on first use. */
export const nodeHttp = (): typeof Http => require('node:http') as typeof Http;

/** `node:os`, loaded on first use. */
export const nodeOs = (): typeof Os => require('node:os') as typeof Os;
