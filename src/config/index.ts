/**
 * Configuration: the only place that reads `process.env`.
 *
 * Every key is documented in docs/configuration.md. Values are parsed once at start-up; if anything is
 * wrong, `loadConfig` throws a ConfigError listing every bad or missing value, and the CLI prints it
 * without a stack trace and exits non-zero.
 */
import { createHmac, createPrivateKey, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { z } from 'zod';
import { contrastWithWhite, MIN_TEXT_CONTRAST, parseHexColour } from './colour.ts';

const port = z
  .string()
  .trim()
  .regex(/^\d+$/, 'must be a whole number between 1 and 65535')
  .transform(Number)
  .refine((n) => n >= 1 && n <= 65535, 'must be a whole number between 1 and 65535');

const postgresUrl = z
  .string()
  .trim()
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be a PostgreSQL URL like postgres://user:password@host:5432/database');

/** Milliseconds, 0 to switch the bound off. */
const millis = z.string().trim().regex(/^\d+$/, 'must be a whole number of milliseconds').transform(Number);

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * A PEM private key for private_key_jwt: RSA (at least 2048 bits) or EC P-256. Accepts the PEM with
 * real newlines or with literal `\n` (as many secret stores and .env files give it).
 */
const privateKeyPem = z
  .string()
  .transform((value) => value.replace(/\\n/g, '\n').trim())
  .refine((pem) => {
    try {
      const key = createPrivateKey({ key: pem, format: 'pem' });
      const details = key.asymmetricKeyDetails;
      return (
        (key.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) >= 2048) ||
        (key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1')
      );
    } catch {
      return false;
    }
  }, 'must be a PEM private key ("-----BEGIN PRIVATE KEY-----" …), RSA of at least 2048 bits or EC P-256');

/** A whole number within [min, max], e.g. a timeout in milliseconds or a worker count. */
const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `must be a whole number between ${min} and ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be a whole number between ${min} and ${max}`);

/** A logo or icon: an https URL used as it is, or a local file served fingerprinted from /assets/. */
export type BrandImage = { url: string } | { file: string };

/** The front door's own look (docs/assets.md): neutral unless the council sets its name, logo and colour. */
export interface BrandConfig {
  /** The front door's name; null: the translated demo name (`portal.siteName`). */
  siteName: string | null;
  /** `#rrggbb`, at least 4.5:1 against white text (headers, banners). */
  colour: string;
  logo: BrandImage | null;
  icon: BrandImage | null;
}

/** The location step's map: a tile server the council chooses, credited, and where the map starts. */
export interface MapSettings {
  /** `https://…/{z}/{x}/{y}.png`; its origin is added to the CSP's `img-src`. */
  tileUrl: string;
  /** Plain text shown on the map (the tiles' licence usually requires it). */
  attribution: string;
  /** `latitude,longitude,zoom` of the map's first view. */
  centre: string;
}

/** Neutral charcoal: not GOV.UK blue, 9.9:1 against white. */
export const DEFAULT_BRAND_COLOUR = '#36454f';

/**
 * A brand image (logo or icon): an https URL, or a file (absolute, or relative to the working directory)
 * of one of the given types, read at start-up and served from /assets/ with a fingerprinted name.
 */
const MAX_BRAND_IMAGE_BYTES = 512 * 1024;
const brandImage = (extensions: string[]) =>
  z
    .string()
    .trim()
    .min(1)
    .transform((value, ctx): BrandImage => {
      if (/^[a-z][a-z0-9+.-]*:/i.test(value) && !/^[a-z]:[\\/]/i.test(value)) {
        let url: URL | null = null;
        try {
          url = new URL(value);
        } catch {
          /* reported below */
        }
        if (url?.protocol === 'https:') return { url: url.toString() };
        ctx.addIssue({ code: 'custom', message: 'must be an https:// URL or the path of an image file' });
        return z.NEVER;
      }
      const file = resolve(value);
      const ext = extname(file).toLowerCase();
      if (!extensions.includes(ext)) {
        ctx.addIssue({ code: 'custom', message: `must be a ${extensions.join(', ')} file` });
        return z.NEVER;
      }
      const size = existsSync(file) && statSync(file).isFile() ? statSync(file).size : null;
      if (size === null || size === 0 || size > MAX_BRAND_IMAGE_BYTES) {
        ctx.addIssue({
          code: 'custom',
          message:
            size === null
              ? 'must name an image file that exists'
              : `must be an image file of at most ${MAX_BRAND_IMAGE_BYTES / 1024} KB`,
        });
        return z.NEVER;
      }
      return { file };
    });

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time like 17:00');

const envSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'], { message: 'must be development, production or test' })
    .default('development'),
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: z.url({ message: 'must be a full URL like https://frontdoor.example.gov.uk' }).optional(),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_CONNECT_TIMEOUT_MS: millis.default(5000),
  DATABASE_STATEMENT_TIMEOUT_MS: millis.default(30000),
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: millis.default(60000),
  REQUEST_TIMEOUT_MS: millis.default(300000),
  DATA_DIR: z.string().min(1).default('./data'),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SESSION_IDLE_MINUTES: z
    .string()
    .regex(/^\d+$/, 'must be a whole number of minutes')
    .transform(Number)
    .default(30),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  RUN_WORKER: bool.default(true),
  DEMO_SEED: bool.optional(),
  WORKING_DAY_CUTOFF: hhmm.default('17:00'),
  TRUST_PROXY: bool.default(false),
  SIGN_IN_MAX_FAILURES: z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).default(5),
  SIGN_IN_LOCK_MINUTES: z
    .string()
    .regex(/^\d+$/, 'must be a whole number of minutes from 1 to 1440')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 1440, 'must be a whole number of minutes from 1 to 1440')
    .default(15),
  OIDC_ISSUER_URL: z.url({ message: 'must be the issuer URL of your identity provider' }).optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_REDIRECT_URI: z.url().optional(),
  OIDC_ALLOW_HTTP: bool.default(false),
  NOTIFY_API_KEY: z
    .string()
    .trim()
    .regex(
      /^[A-Za-z0-9_.-]+-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      'must be a GOV.UK Notify API key (key name, service ID and secret, joined by hyphens)',
    )
    .optional(),
  NOTIFY_BASE_URL: z
    .url({ message: 'must be a full URL like https://api.notifications.service.gov.uk' })
    .optional(),
  NOTIFY_TEMPLATE_IDS: z
    .string()
    .transform((value, ctx) => {
      try {
        const parsed: unknown = JSON.parse(value);
        const record = z.record(z.string().min(1), z.uuid()).safeParse(parsed);
        if (record.success) return record.data;
      } catch {
        /* reported below */
      }
      ctx.addIssue({
        code: 'custom',
        message:
          'must be a JSON object of template names to Notify template IDs, like {"email":"<uuid>","sms":"<uuid>"}',
      });
      return z.NEVER;
    })
    .optional(),
  SMTP_URL: z
    .string()
    .trim()
    .refine((value) => {
      try {
        const url = new URL(value);
        return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== '';
      } catch {
        return false;
      }
    }, 'must be an SMTP URL like smtp://user:password@mail.example.gov.uk:587 (smtps:// for TLS on connect)')
    .optional(),
  MAIL_FROM: z.string().trim().min(3).max(254).optional(),
  EMAIL_MESSAGE_ID_DOMAIN: z
    .string()
    .trim()
    .toLowerCase()
    .regex(
      /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/,
      'must be a domain name like mail.frontdoor.example.gov.uk',
    )
    .optional(),
  EMAIL_REPLY_ADDRESS: z
    .string()
    .trim()
    .toLowerCase()
    .regex(
      /^[^\s@+]+@[^\s@.]+(\.[^\s@.]+)+$/,
      'must be an email address without a +tag, like reply@council.example.gov.uk',
    )
    .optional(),
  EMAIL_REPLY_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  EMAIL_INBOUND_SMTP_PORT: wholeNumber(1, 65_535).optional(),
  EMAIL_INBOUND_SMTP_HOST: z.string().trim().default('127.0.0.1'),
  EMAIL_INBOUND_MAX_BYTES: wholeNumber(1_024, 200 * 1024 * 1024).default(25 * 1024 * 1024),
  EMAIL_INBOUND_ALLOWED_RELAYS: z.string().trim().optional(),
  EMAIL_TRUSTED_AUTHSERV_IDS: z.string().trim().optional(),
  EMAIL_IMAP_POLL_SECONDS: wholeNumber(1, 3_600).default(60),
  TELEPHONY_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  TELEPHONY_TWILIO_AUTH_TOKEN: z.string().trim().optional(),
  TELEPHONY_AUTHORITY: z.string().trim().optional(),
  NOTIFY_CALLBACK_TOKEN: z.string().trim().min(16, 'must be at least 16 characters').optional(),
  TEXTS_AUTHORITY: z.string().trim().optional(),
  WORKER_CONCURRENCY: wholeNumber(1, 64).default(4),
  CALLBACK_STANDARD_HOURS: wholeNumber(1, 80).default(2),
  CALLBACK_OFFICE_HOURS: z
    .string()
    .trim()
    .regex(
      /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/,
      'must be opening and closing times like 09:00-17:00',
    )
    .transform((v) => {
      const [open, close] = v.split('-');
      return { open, close };
    })
    .refine((h) => h.open < h.close, 'must close after it opens, like 09:00-17:00')
    .default({ open: '09:00', close: '17:00' }),
  CALLBACK_REMINDER_LEAD_MINUTES: wholeNumber(0, 1440).default(15),
  CALLBACK_MAX_ATTEMPTS: wholeNumber(1, 10).default(3),
  CALLBACK_ATTEMPT_SPACING_MINUTES: wholeNumber(0, 1440).default(30),
  DELIVERY_CONNECT_TIMEOUT_MS: wholeNumber(100, 120_000).default(5_000),
  DELIVERY_RESPONSE_TIMEOUT_MS: wholeNumber(100, 120_000).default(10_000),
  METRICS_TOKEN: z
    .string()
    .trim()
    .regex(/^[\x21-\x7e]{24,}$/, 'must be at least 24 printable characters without spaces')
    .optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  METRICS_PORT: port.optional(),
  ONE_LOGIN_ISSUER_URL: z.url({ message: 'must be the GOV.UK One Login issuer URL' }).optional(),
  ONE_LOGIN_CLIENT_ID: z.string().min(1).optional(),
  ONE_LOGIN_CLIENT_SECRET: z.string().min(1).optional(),
  ONE_LOGIN_PRIVATE_KEY: privateKeyPem.optional(),
  ONE_LOGIN_PRIVATE_KEY_ID: z.string().trim().min(1).max(200).optional(),
  ONE_LOGIN_REDIRECT_URI: z.url().optional(),
  ONE_LOGIN_SCOPES: z
    .string()
    .trim()
    .refine((value) => {
      const scopes = value.split(/\s+/);
      return scopes.includes('openid') && scopes.includes('email');
    }, 'must be space-separated scopes including openid and email, like "openid email phone"')
    .default('openid email phone'),
  ONE_LOGIN_VTR: z
    .string()
    .trim()
    .refine((value) => {
      try {
        const parsed: unknown = JSON.parse(value);
        return (
          Array.isArray(parsed) &&
          parsed.length > 0 &&
          parsed.every((v) => typeof v === 'string' && /^[A-Za-z0-9.]+$/.test(v))
        );
      } catch {
        return false;
      }
    }, 'must be a JSON list of vectors of trust, like ["Cl.Cm"]')
    .default('["Cl.Cm"]'),
  SITE_NAME: z.string().trim().min(1).max(80, 'must be at most 80 characters').optional(),
  BRAND_COLOUR: z
    .string()
    .trim()
    .transform((value, ctx) => {
      const rgb = parseHexColour(value);
      if (!rgb) {
        ctx.addIssue({ code: 'custom', message: 'must be a hex colour like #1d70b8' });
        return z.NEVER;
      }
      const ratio = contrastWithWhite(rgb);
      if (ratio < MIN_TEXT_CONTRAST) {
        ctx.addIssue({
          code: 'custom',
          message: `is too light: white text on it has a contrast ratio of ${ratio.toFixed(2)}:1 and must have at least ${MIN_TEXT_CONTRAST}:1 (WCAG 2.2 AA); choose a darker shade`,
        });
        return z.NEVER;
      }
      return `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
    })
    .default(DEFAULT_BRAND_COLOUR),
  BRAND_LOGO: brandImage(['.svg', '.png', '.jpg', '.jpeg', '.webp', '.gif']).optional(),
  BRAND_ICON: brandImage(['.ico', '.png', '.svg']).optional(),
  // The location step's map (docs/forms.md "Location"): unset, no map is shown.
  MAP_TILE_URL: z
    .string()
    .trim()
    .min(1)
    .refine((value) => {
      if (!['{z}', '{x}', '{y}'].every((part) => value.includes(part))) return false;
      try {
        const url = new URL(value);
        const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
        return url.protocol === 'https:' || (url.protocol === 'http:' && local);
      } catch {
        return false;
      }
    }, 'must be an https:// tile URL on one host with {z}, {x} and {y}, like https://tiles.example.gov.uk/{z}/{x}/{y}.png')
    .optional(),
  MAP_TILE_ATTRIBUTION: z.string().trim().min(1).max(200, 'must be at most 200 characters').optional(),
  MAP_CENTRE: z
    .string()
    .trim()
    .refine((value) => {
      const [lat, lng, zoom, ...rest] = value.split(',').map((part) => Number(part.trim()));
      return (
        rest.length === 0 &&
        Number.isFinite(lat) &&
        Number.isFinite(lng) &&
        Number.isInteger(zoom) &&
        lat >= 49.8 &&
        lat <= 60.9 &&
        lng >= -8.7 &&
        lng <= 1.8 &&
        zoom >= 5 &&
        zoom <= 19
      );
    }, 'must be "latitude,longitude,zoom" in the UK, like 51.062,-2.32,13')
    .default('51.062,-2.32,12'),
  CHAT_ASSISTANT_LLM_URL: z
    .string()
    .trim()
    .refine((value) => {
      try {
        const url = new URL(value);
        const local =
          url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
        return (
          (url.protocol === 'https:' || (url.protocol === 'http:' && local)) && !url.username && !url.password
        );
      } catch {
        return false;
      }
    }, 'must be the https:// base URL of an OpenAI-compatible API, like https://llm.example.gov.uk/v1 (plain http:// only on localhost; no credentials in it)')
    .optional(),
  CHAT_ASSISTANT_LLM_KEY: z.string().trim().min(1).optional(),
  CHAT_ASSISTANT_LLM_MODEL: z.string().trim().min(1).max(200).optional(),
  CHAT_ASSISTANT_LLM_TIMEOUT_MS: wholeNumber(100, 30_000).default(4000),
  CHAT_ASSISTANT: bool.optional(),
});

export type Env = z.input<typeof envSchema>;

/** The demo's telephony secret (published, like the demo passwords): only when the demo is seeded. */
export const DEMO_TELEPHONY_SECRET = 'demo-telephony-secret-not-for-production';

export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  publicUrl: string;
  /** true when cookies must carry `Secure` (anything but plain http on localhost). */
  secureCookies: boolean;
  database: { engine: 'postgres'; url: string } | { engine: 'pglite'; dataDir: string };
  /** PostgreSQL only (docs/database.md, "Connection faults"); 0 = no bound. */
  databaseTimeouts: { connectMs: number; statementMs: number; idleInTransactionMs: number };
  /** Fastify `requestTimeout`: the whole request (headers and body) must arrive within this. */
  requestTimeoutMs: number;
  dataDir: string;
  sessionSecret: string;
  sessionIdleMinutes: number;
  logLevel: string;
  runWorker: boolean;
  /** Seed the demo councils on start. Defaults to on only for the embedded database outside production. */
  demoSeed: boolean;
  workingDayCutOff: string;
  trustProxy: boolean;
  signInMaxFailures: number;
  /** The first lock-out lasts this long; each repeated one twice as long, at most 24 hours. */
  signInLockMinutes: number;
  oidc: {
    issuerUrl: string;
    clientId: string;
    clientSecret: string;
    redirectUri: string;
    allowHttp: boolean;
  } | null;
  /** GOV.UK Notify: used for email and SMS when set (see docs/notifications.md). */
  notify: {
    apiKey: string;
    /** null: the production Notify API. */
    baseUrl: string | null;
    /** Template name (or `<template>:<channel>`, or a channel) → Notify template id. */
    templateIds: Record<string, string>;
    /** DELIVERY_CONNECT_TIMEOUT_MS and DELIVERY_RESPONSE_TIMEOUT_MS. */
    connectTimeoutMs: number;
    responseTimeoutMs: number;
  } | null;
  /** SMTP for email when Notify is not set. */
  smtp: { url: string; from: string; connectTimeoutMs: number; responseTimeoutMs: number } | null;
  /**
   * Email threading (docs/email.md): the domain of our Message-IDs (null: MAIL_FROM's domain); the mailbox
   * replies reach, sub-addressed per case as a signed reply address (null: none); the secret that signs
   * them (EMAIL_REPLY_SECRET; outside production derived from the session secret when not set; null in
   * production without it).
   */
  email: { messageIdDomain: string | null; replyAddress: string | null; replySecret: string | null };
  /**
   * Receiving email (docs/email.md "Receiving"): the inbound SMTP endpoint (null: not started); the
   * authserv-ids whose Authentication-Results header is trusted on mail fetched by IMAP ('' for Microsoft
   * 365's header without one); how often each IMAP mailbox is polled; the IMAP passwords by the name of
   * their environment variable (EMAIL_IMAP_PASSWORD_<NAME>, named by the mailbox's settings).
   */
  /**
   * Call events from the council's phone platform (docs/telephony.md): the HMAC secret of each platform
   * (`default` from TELEPHONY_SECRET, others from TELEPHONY_SECRET_<NAME>), Twilio's auth token for
   * `X-Twilio-Signature`, and the authority that takes calls from queues and numbers Frontdoor does not
   * know (its code; the county when not set). No secret and no token: the events endpoint is closed.
   */
  /**
   * Texts both ways through Notify (docs/texts.md): the bearer token Notify's delivery-receipt and
   * received-text callbacks carry (null: the callbacks are closed), and the council that takes texts tied to
   * no case (its code; the county when not set).
   */
  texts: { callbackToken: string | null; authorityCode: string | null };
  telephony: {
    secrets: Record<string, string>;
    twilioAuthToken: string | null;
    authorityCode: string | null;
  };
  inboundEmail: {
    smtp: { host: string; port: number; maxBytes: number; allowedRelays: string[] } | null;
    trustedAuthservIds: string[];
    imapPollSeconds: number;
    imapPasswords: Record<string, string>;
  };
  /** Job worker: how many jobs run at once (one slot is kept for urgent jobs when more than 1). */
  workerConcurrency: number;
  /**
   * Callbacks (docs/callbacks.md): the service standard in working hours, office hours (wall clock, Europe/
   * London, on working days), how long before a callback is due its owner is reminded, and the attempts
   * allowed and their spacing.
   */
  callbacks: {
    standardHours: number;
    officeHours: { open: string; close: string };
    reminderLeadMinutes: number;
    maxAttempts: number;
    attemptSpacingMinutes: number;
  };
  /**
   * /metrics (docs/operations.md "Metrics"): `token` required as a bearer token wherever it is served; `port` set:
   * served only on its own listener at host:port. Neither set: not served.
   */
  metrics: { token: string | null; host: string; port: number | null };
  /** GOV.UK One Login for resident sign-in (OIDC); null: residents sign in with an emailed code only. */
  oneLogin: {
    issuerUrl: string;
    clientId: string;
    /** Exactly one of clientSecret and privateKey is set; production One Login uses privateKey. */
    clientSecret: string | null;
    /** PEM private key for private_key_jwt (literal `\n` already turned into newlines). */
    privateKey: string | null;
    /** `kid` of the registered public key, sent in the client assertion header. */
    privateKeyId: string | null;
    redirectUri: string;
    allowHttp: boolean;
    /** Space-separated scopes, e.g. 'openid email phone'. */
    scopes: string;
    /** The `vtr` authorization parameter as sent, a JSON list such as '["Cl.Cm"]'. */
    vtr: string;
  } | null;
  brand: BrandConfig;
  /** The location step's map tiles (docs/forms.md "Location"); null = no map. */
  map: MapSettings | null;
  /**
   * The webchat assistant's optional language model (docs/webchat.md "Assistant"): a council's own
   * OpenAI-compatible endpoint that may rephrase answers from the quoted article; null = off (the default).
   */
  chatAssistantLlm: { url: string; key: string | null; model: string; timeoutMs: number } | null;
  /** Whether webchat's automated assistant answers first (CHAT_ASSISTANT; on in the demo, off otherwise). */
  chatAssistant: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Frontdoor cannot start because of its settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parse settings from an environment map. Pure apart from one thing: in development, when no
 * SESSION_SECRET is set, a random one is generated and kept in DATA_DIR so sessions survive restarts.
 */
const listOf = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path.join('.');
      const shown =
        key === 'SESSION_SECRET' ||
        key === 'EMAIL_REPLY_SECRET' ||
        key === 'OIDC_CLIENT_SECRET' ||
        key === 'DATABASE_URL' ||
        key === 'NOTIFY_API_KEY' ||
        key === 'SMTP_URL' ||
        key === 'METRICS_TOKEN' ||
        key === 'TELEPHONY_SECRET' ||
        key === 'TELEPHONY_TWILIO_AUTH_TOKEN' ||
        key === 'ONE_LOGIN_CLIENT_SECRET' ||
        key === 'ONE_LOGIN_PRIVATE_KEY' ||
        key === 'CHAT_ASSISTANT_LLM_KEY'
          ? ''
          : ` (got "${String(cleaned[key] ?? '')}")`;
      problems.push(`${key} ${issue.message}${shown}`);
    }
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.SESSION_SECRET)
    problems.push('SESSION_SECRET is required when NODE_ENV is production');
  if (e.NODE_ENV === 'production' && e.DEMO_SEED === true)
    problems.push(
      'DEMO_SEED cannot be on when NODE_ENV is production: the demo councils have published passwords and a fixed API token. Remove DEMO_SEED and create the first administrator with npm run admin -- create',
    );
  const oidcKeys = [e.OIDC_ISSUER_URL, e.OIDC_CLIENT_ID, e.OIDC_CLIENT_SECRET, e.OIDC_REDIRECT_URI];
  if (oidcKeys.some(Boolean) && !oidcKeys.every(Boolean)) {
    problems.push(
      'OIDC_ISSUER_URL, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and OIDC_REDIRECT_URI must be set together',
    );
  }
  // One Login authenticates with ONE_LOGIN_PRIVATE_KEY (private_key_jwt, production) or, for test
  // set-ups, ONE_LOGIN_CLIENT_SECRET: exactly one of them, with the issuer, client ID and redirect URI.
  const oneLoginCredential = e.ONE_LOGIN_PRIVATE_KEY ?? e.ONE_LOGIN_CLIENT_SECRET;
  const oneLoginKeys = [
    e.ONE_LOGIN_ISSUER_URL,
    e.ONE_LOGIN_CLIENT_ID,
    oneLoginCredential,
    e.ONE_LOGIN_REDIRECT_URI,
  ];
  if (oneLoginKeys.some(Boolean) && !oneLoginKeys.every(Boolean)) {
    problems.push(
      e.ONE_LOGIN_PRIVATE_KEY
        ? 'ONE_LOGIN_ISSUER_URL, ONE_LOGIN_CLIENT_ID, ONE_LOGIN_PRIVATE_KEY and ONE_LOGIN_REDIRECT_URI must be set together'
        : 'ONE_LOGIN_ISSUER_URL, ONE_LOGIN_CLIENT_ID, ONE_LOGIN_CLIENT_SECRET and ONE_LOGIN_REDIRECT_URI must be set together',
    );
  }
  if (e.ONE_LOGIN_PRIVATE_KEY && e.ONE_LOGIN_CLIENT_SECRET) {
    problems.push(
      'ONE_LOGIN_PRIVATE_KEY and ONE_LOGIN_CLIENT_SECRET cannot both be set: GOV.UK One Login uses the private key',
    );
  }
  if (e.ONE_LOGIN_PRIVATE_KEY_ID && !e.ONE_LOGIN_PRIVATE_KEY)
    problems.push('ONE_LOGIN_PRIVATE_KEY_ID is only used with ONE_LOGIN_PRIVATE_KEY');
  if (e.NOTIFY_API_KEY && !e.NOTIFY_TEMPLATE_IDS)
    problems.push('NOTIFY_TEMPLATE_IDS is required when NOTIFY_API_KEY is set');
  if (e.SMTP_URL && !e.MAIL_FROM) problems.push('MAIL_FROM is required when SMTP_URL is set');
  if (e.NODE_ENV === 'production' && e.EMAIL_REPLY_ADDRESS && !e.EMAIL_REPLY_SECRET)
    problems.push(
      'EMAIL_REPLY_SECRET is required when EMAIL_REPLY_ADDRESS is set and NODE_ENV is production',
    );
  if (e.MAP_TILE_URL && !e.MAP_TILE_ATTRIBUTION)
    problems.push('MAP_TILE_ATTRIBUTION is required when MAP_TILE_URL is set (the map must credit its data)');
  if (e.CHAT_ASSISTANT_LLM_URL && !e.CHAT_ASSISTANT_LLM_MODEL)
    problems.push('CHAT_ASSISTANT_LLM_MODEL is required when CHAT_ASSISTANT_LLM_URL is set');
  if (!e.CHAT_ASSISTANT_LLM_URL && (e.CHAT_ASSISTANT_LLM_KEY || e.CHAT_ASSISTANT_LLM_MODEL))
    problems.push(
      'CHAT_ASSISTANT_LLM_KEY and CHAT_ASSISTANT_LLM_MODEL are only used with CHAT_ASSISTANT_LLM_URL',
    );
  if (problems.length) throw new ConfigError(problems);

  const dataDir = resolve(e.DATA_DIR);
  const sessionSecret = e.SESSION_SECRET ?? persistedDevSecret(dataDir);
  const demoSeed = e.DEMO_SEED ?? (!e.DATABASE_URL && e.NODE_ENV !== 'production');
  // Outside production a reply secret is derived from the session secret (its own key: a signed reply
  // address says nothing about sessions). Production sets EMAIL_REPLY_SECRET, so rotating the session
  // secret does not break the reply addresses of mail already sent.
  const replySecret =
    e.EMAIL_REPLY_SECRET ??
    (e.NODE_ENV === 'production'
      ? null
      : createHmac('sha256', sessionSecret).update('frontdoor email reply addresses').digest('base64url'));
  const publicUrl = e.PUBLIC_URL ?? `http://localhost:${e.PORT}`;
  const url = new URL(publicUrl);
  const local = url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl: publicUrl.replace(/\/$/, ''),
    secureCookies: !local,
    database: e.DATABASE_URL
      ? { engine: 'postgres', url: e.DATABASE_URL }
      : { engine: 'pglite', dataDir: join(dataDir, 'pglite') },
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    databaseTimeouts: {
      connectMs: e.DATABASE_CONNECT_TIMEOUT_MS,
      statementMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
      idleInTransactionMs: e.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    },
    dataDir,
    sessionSecret,
    sessionIdleMinutes: e.SESSION_IDLE_MINUTES,
    logLevel: e.LOG_LEVEL,
    runWorker: e.RUN_WORKER,
    demoSeed,
    workingDayCutOff: e.WORKING_DAY_CUTOFF,
    trustProxy: e.TRUST_PROXY,
    signInMaxFailures: e.SIGN_IN_MAX_FAILURES,
    signInLockMinutes: e.SIGN_IN_LOCK_MINUTES,
    oidc:
      e.OIDC_ISSUER_URL && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET && e.OIDC_REDIRECT_URI
        ? {
            issuerUrl: e.OIDC_ISSUER_URL,
            clientId: e.OIDC_CLIENT_ID,
            clientSecret: e.OIDC_CLIENT_SECRET,
            redirectUri: e.OIDC_REDIRECT_URI,
            allowHttp: e.OIDC_ALLOW_HTTP,
          }
        : null,
    notify:
      e.NOTIFY_API_KEY && e.NOTIFY_TEMPLATE_IDS
        ? {
            apiKey: e.NOTIFY_API_KEY,
            baseUrl: e.NOTIFY_BASE_URL ?? null,
            templateIds: e.NOTIFY_TEMPLATE_IDS,
            connectTimeoutMs: e.DELIVERY_CONNECT_TIMEOUT_MS,
            responseTimeoutMs: e.DELIVERY_RESPONSE_TIMEOUT_MS,
          }
        : null,
    smtp:
      e.SMTP_URL && e.MAIL_FROM
        ? {
            url: e.SMTP_URL,
            from: e.MAIL_FROM,
            connectTimeoutMs: e.DELIVERY_CONNECT_TIMEOUT_MS,
            responseTimeoutMs: e.DELIVERY_RESPONSE_TIMEOUT_MS,
          }
        : null,
    email: {
      messageIdDomain: e.EMAIL_MESSAGE_ID_DOMAIN ?? null,
      replyAddress: e.EMAIL_REPLY_ADDRESS ?? null,
      replySecret,
    },
    texts: { callbackToken: e.NOTIFY_CALLBACK_TOKEN ?? null, authorityCode: e.TEXTS_AUTHORITY ?? null },
    telephony: {
      secrets: {
        ...Object.fromEntries(
          Object.entries(cleaned)
            .filter(
              (entry): entry is [string, string] =>
                entry[0].startsWith('TELEPHONY_SECRET_') && typeof entry[1] === 'string',
            )
            .map(([key, value]) => [key.slice('TELEPHONY_SECRET_'.length).toLowerCase(), value]),
        ),
        ...(e.TELEPHONY_SECRET
          ? { default: e.TELEPHONY_SECRET }
          : demoSeed
            ? { default: DEMO_TELEPHONY_SECRET }
            : {}),
      },
      twilioAuthToken: e.TELEPHONY_TWILIO_AUTH_TOKEN ?? null,
      authorityCode: e.TELEPHONY_AUTHORITY ?? null,
    },
    inboundEmail: {
      smtp: e.EMAIL_INBOUND_SMTP_PORT
        ? {
            host: e.EMAIL_INBOUND_SMTP_HOST,
            port: e.EMAIL_INBOUND_SMTP_PORT,
            maxBytes: e.EMAIL_INBOUND_MAX_BYTES,
            allowedRelays: listOf(e.EMAIL_INBOUND_ALLOWED_RELAYS),
          }
        : null,
      trustedAuthservIds:
        e.EMAIL_TRUSTED_AUTHSERV_IDS === undefined
          ? []
          : e.EMAIL_TRUSTED_AUTHSERV_IDS.split(',').map((id) => id.trim().toLowerCase()),
      imapPollSeconds: e.EMAIL_IMAP_POLL_SECONDS,
      imapPasswords: Object.fromEntries(
        Object.entries(cleaned).filter(
          (entry): entry is [string, string] =>
            entry[0].startsWith('EMAIL_IMAP_PASSWORD_') && typeof entry[1] === 'string',
        ),
      ),
    },
    workerConcurrency: e.WORKER_CONCURRENCY,
    callbacks: {
      standardHours: e.CALLBACK_STANDARD_HOURS,
      officeHours: e.CALLBACK_OFFICE_HOURS,
      reminderLeadMinutes: e.CALLBACK_REMINDER_LEAD_MINUTES,
      maxAttempts: e.CALLBACK_MAX_ATTEMPTS,
      attemptSpacingMinutes: e.CALLBACK_ATTEMPT_SPACING_MINUTES,
    },
    metrics: { token: e.METRICS_TOKEN ?? null, host: e.METRICS_HOST, port: e.METRICS_PORT ?? null },
    oneLogin:
      e.ONE_LOGIN_ISSUER_URL && e.ONE_LOGIN_CLIENT_ID && oneLoginCredential && e.ONE_LOGIN_REDIRECT_URI
        ? {
            issuerUrl: e.ONE_LOGIN_ISSUER_URL,
            clientId: e.ONE_LOGIN_CLIENT_ID,
            clientSecret: e.ONE_LOGIN_PRIVATE_KEY ? null : (e.ONE_LOGIN_CLIENT_SECRET ?? null),
            privateKey: e.ONE_LOGIN_PRIVATE_KEY ?? null,
            privateKeyId: e.ONE_LOGIN_PRIVATE_KEY_ID ?? null,
            redirectUri: e.ONE_LOGIN_REDIRECT_URI,
            allowHttp: e.OIDC_ALLOW_HTTP,
            scopes: e.ONE_LOGIN_SCOPES,
            vtr: e.ONE_LOGIN_VTR,
          }
        : null,
    brand: {
      siteName: e.SITE_NAME ?? null,
      colour: e.BRAND_COLOUR,
      logo: e.BRAND_LOGO ?? null,
      icon: e.BRAND_ICON ?? null,
    },
    map: e.MAP_TILE_URL
      ? {
          tileUrl: e.MAP_TILE_URL,
          attribution: e.MAP_TILE_ATTRIBUTION ?? '',
          centre: e.MAP_CENTRE.replace(/\s/g, ''),
        }
      : null,
    chatAssistant: e.CHAT_ASSISTANT ?? demoSeed,
    chatAssistantLlm:
      e.CHAT_ASSISTANT_LLM_URL && e.CHAT_ASSISTANT_LLM_MODEL
        ? {
            url: e.CHAT_ASSISTANT_LLM_URL,
            key: e.CHAT_ASSISTANT_LLM_KEY ?? null,
            model: e.CHAT_ASSISTANT_LLM_MODEL,
            timeoutMs: e.CHAT_ASSISTANT_LLM_TIMEOUT_MS,
          }
        : null,
  };
}

function persistedDevSecret(dataDir: string): string {
  const file = join(dataDir, 'session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
