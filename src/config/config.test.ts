import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './index.ts';

const dataDir = () => mkdtempSync(join(tmpdir(), 'fd-config-'));

void test('defaults make the demo work with nothing set', () => {
  const dir = dataDir();
  const config = loadConfig({ DATA_DIR: dir });
  assert.equal(config.port, 3000);
  assert.deepEqual(config.database, { engine: 'pglite', dataDir: join(dir, 'pglite') });
  assert.equal(config.secureCookies, false);
  assert.ok(config.sessionSecret.length >= 32);
  assert.equal(
    readFileSync(join(dir, 'session-secret'), 'utf8'),
    config.sessionSecret,
    'the generated secret is kept for restarts',
  );
  assert.equal(loadConfig({ DATA_DIR: dir }).sessionSecret, config.sessionSecret);
});

void test('DATABASE_URL selects PostgreSQL', () => {
  const config = loadConfig({
    DATA_DIR: dataDir(),
    DATABASE_URL: 'postgres://u:p@db.internal:5432/frontdoor',
  });
  assert.deepEqual(config.database, { engine: 'postgres', url: 'postgres://u:p@db.internal:5432/frontdoor' });
});

void test('every bad value is listed in one error, without echoing secrets', () => {
  try {
    loadConfig({
      DATA_DIR: dataDir(),
      PORT: 'abc',
      DATABASE_URL: 'mysql://secret@x/y',
      SESSION_IDLE_MINUTES: 'soon',
    });
    assert.fail('should throw');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.problems.length, 3);
    assert.match(error.message, /PORT must be a whole number between 1 and 65535 \(got "abc"\)/);
    assert.match(error.message, /DATABASE_URL must be a PostgreSQL URL/);
    assert.doesNotMatch(error.message, /secret@/);
    assert.match(error.message, /SESSION_IDLE_MINUTES/);
  }
});

void test('PORT out of range is refused', () => {
  assert.throws(
    () => loadConfig({ DATA_DIR: dataDir(), PORT: '70000' }),
    /PORT must be a whole number between 1 and 65535/,
  );
});

void test('production requires SESSION_SECRET; OIDC settings go together; https public URL means secure cookies', () => {
  assert.throws(
    () => loadConfig({ DATA_DIR: dataDir(), NODE_ENV: 'production' }),
    /SESSION_SECRET is required/,
  );
  assert.throws(
    () => loadConfig({ DATA_DIR: dataDir(), OIDC_ISSUER_URL: 'https://login.example.gov.uk' }),
    /must be set together/,
  );
  const config = loadConfig({
    DATA_DIR: dataDir(),
    PUBLIC_URL: 'https://frontdoor.example.gov.uk',
    SESSION_SECRET: 'x'.repeat(40),
  });
  assert.equal(config.secureCookies, true);
});

void test('the demo seed is on only for the embedded database outside production', () => {
  const secret = 'x'.repeat(40);
  assert.equal(loadConfig({ DATA_DIR: dataDir() }).demoSeed, true, 'npm start with nothing set');
  assert.equal(
    loadConfig({ DATA_DIR: dataDir(), DATABASE_URL: 'postgres://u:p@db.internal:5432/frontdoor' }).demoSeed,
    false,
    'PostgreSQL: nothing is seeded unless asked for',
  );
  assert.equal(
    loadConfig({ DATA_DIR: dataDir(), NODE_ENV: 'production', SESSION_SECRET: secret }).demoSeed,
    false,
  );
  assert.equal(
    loadConfig({
      DATA_DIR: dataDir(),
      DATABASE_URL: 'postgres://u:p@db.internal:5432/frontdoor',
      DEMO_SEED: 'true',
    }).demoSeed,
    true,
    'asked for explicitly outside production',
  );
  try {
    loadConfig({ DATA_DIR: dataDir(), NODE_ENV: 'production', SESSION_SECRET: secret, DEMO_SEED: 'true' });
    assert.fail('should throw');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.problems.length, 1, 'one clear error');
    assert.match(error.problems[0], /^DEMO_SEED cannot be on when NODE_ENV is production/);
    assert.match(error.problems[0], /npm run admin -- create/);
  }
});

void test('the sign-in lock period is configurable (default 15 minutes)', () => {
  assert.equal(loadConfig({ DATA_DIR: dataDir() }).signInLockMinutes, 15);
  assert.equal(loadConfig({ DATA_DIR: dataDir(), SIGN_IN_LOCK_MINUTES: '30' }).signInLockMinutes, 30);
  assert.throws(
    () => loadConfig({ DATA_DIR: dataDir(), SIGN_IN_LOCK_MINUTES: '0' }),
    /SIGN_IN_LOCK_MINUTES must be a whole number of minutes from 1 to 1440/,
  );
});

void test('callbacks: 2 working hours, 09:00-17:00, reminded 15 minutes before, 3 attempts 30 minutes apart unless set', () => {
  assert.deepEqual(loadConfig({ DATA_DIR: dataDir() }).callbacks, {
    standardHours: 2,
    officeHours: { open: '09:00', close: '17:00' },
    reminderLeadMinutes: 15,
    maxAttempts: 3,
    attemptSpacingMinutes: 30,
  });
  const set = loadConfig({
    DATA_DIR: dataDir(),
    CALLBACK_OFFICE_HOURS: '08:30-16:30',
    CALLBACK_MAX_ATTEMPTS: '5',
  });
  assert.deepEqual(set.callbacks.officeHours, { open: '08:30', close: '16:30' });
  assert.equal(set.callbacks.maxAttempts, 5);
  assert.throws(
    () => loadConfig({ DATA_DIR: dataDir(), CALLBACK_OFFICE_HOURS: '17:00-09:00' }),
    /CALLBACK_OFFICE_HOURS must close after it opens/,
  );
});

void test('database timeouts: 5 s connect, 30 s statement, 60 s idle in transaction unless set; 0 switches one off', () => {
  assert.deepEqual(loadConfig({ DATA_DIR: dataDir() }).databaseTimeouts, {
    connectMs: 5000,
    statementMs: 30000,
    idleInTransactionMs: 60000,
  });
  const config = loadConfig({
    DATA_DIR: dataDir(),
    DATABASE_CONNECT_TIMEOUT_MS: '1500',
    DATABASE_STATEMENT_TIMEOUT_MS: '0',
    DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '120000',
  });
  assert.deepEqual(config.databaseTimeouts, { connectMs: 1500, statementMs: 0, idleInTransactionMs: 120000 });
  assert.throws(
    () => loadConfig({ DATA_DIR: dataDir(), DATABASE_STATEMENT_TIMEOUT_MS: '30s' }),
    /DATABASE_STATEMENT_TIMEOUT_MS must be a whole number of milliseconds \(got "30s"\)/,
  );
});

void test('brand: neutral by default; name, colour, logo and icon from settings', () => {
  const dir = dataDir();
  const plain = loadConfig({ DATA_DIR: dir });
  assert.deepEqual(plain.brand, { siteName: null, colour: '#36454f', logo: null, icon: null });

  const logo = join(dir, 'logo.svg');
  writeFileSync(logo, '<svg xmlns="http://www.w3.org/2000/svg"/>');
  const branded = loadConfig({
    DATA_DIR: dir,
    SITE_NAME: ' Wessex Council ',
    BRAND_COLOUR: '#4C2C92',
    BRAND_LOGO: logo,
    BRAND_ICON: 'https://cdn.wessex.example/favicon.png',
  });
  assert.deepEqual(branded.brand, {
    siteName: 'Wessex Council',
    colour: '#4c2c92',
    logo: { file: logo },
    icon: { url: 'https://cdn.wessex.example/favicon.png' },
  });
});

void test('brand: a colour white text cannot be read on, a bad hex, a missing file and a plain http URL are refused', () => {
  const dir = dataDir();
  const text = join(dir, 'logo.txt');
  writeFileSync(text, 'not an image');
  try {
    loadConfig({
      DATA_DIR: dir,
      BRAND_COLOUR: '#5694ca',
      BRAND_LOGO: join(dir, 'missing.png'),
      BRAND_ICON: 'http://cdn.example/favicon.ico',
    });
    assert.fail('should throw');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.problems.length, 3);
    assert.match(
      error.message,
      /BRAND_COLOUR is too light: white text on it has a contrast ratio of 3\.\d\d:1/,
    );
    assert.match(error.message, /BRAND_LOGO must name an image file that exists/);
    assert.match(error.message, /BRAND_ICON must be an https:\/\/ URL or the path of an image file/);
  }
  assert.throws(
    () => loadConfig({ DATA_DIR: dir, BRAND_COLOUR: 'purple' }),
    /BRAND_COLOUR must be a hex colour/,
  );
  assert.throws(() => loadConfig({ DATA_DIR: dir, BRAND_LOGO: text }), /BRAND_LOGO must be a \.svg, /);
});

void test('issue 12 item 14: the location map needs a tile URL with its credit; unset, there is no map', () => {
  const dir = dataDir();
  assert.equal(loadConfig({ DATA_DIR: dir }).map, null);
  assert.deepEqual(
    loadConfig({
      DATA_DIR: dir,
      MAP_TILE_URL: 'https://tiles.example.gov.uk/{z}/{x}/{y}.png',
      MAP_TILE_ATTRIBUTION: '© OpenStreetMap contributors',
      MAP_CENTRE: '51.1, -2.5, 13',
    }).map,
    {
      tileUrl: 'https://tiles.example.gov.uk/{z}/{x}/{y}.png',
      attribution: '© OpenStreetMap contributors',
      centre: '51.1,-2.5,13',
    },
  );
  assert.throws(
    () => loadConfig({ DATA_DIR: dir, MAP_TILE_URL: 'https://tiles.example.gov.uk/{z}/{x}/{y}.png' }),
    /MAP_TILE_ATTRIBUTION is required when MAP_TILE_URL is set/,
  );
  for (const url of ['http://tiles.example.gov.uk/{z}/{x}/{y}.png', 'https://tiles.example.gov.uk/tile.png'])
    assert.throws(
      () => loadConfig({ DATA_DIR: dir, MAP_TILE_URL: url, MAP_TILE_ATTRIBUTION: 'x' }),
      /MAP_TILE_URL must be an https:\/\/ tile URL/,
      url,
    );
  assert.throws(() => loadConfig({ DATA_DIR: dir, MAP_CENTRE: '48.85,2.35,12' }), /MAP_CENTRE must be/);
});

void test('issue 13: email threading settings: Message-ID domain, reply address, reply secret (derived outside production)', () => {
  const dir = dataDir();
  const session = 's'.repeat(40);
  const demo = loadConfig({ DATA_DIR: dir, SESSION_SECRET: session });
  assert.equal(demo.email.messageIdDomain, null);
  assert.equal(demo.email.replyAddress, null);
  assert.ok(demo.email.replySecret && demo.email.replySecret.length >= 32);
  assert.notEqual(demo.email.replySecret, session, 'derived, not the session secret itself');
  assert.equal(
    loadConfig({ DATA_DIR: dir, SESSION_SECRET: session }).email.replySecret,
    demo.email.replySecret,
  );
  assert.notEqual(
    loadConfig({ DATA_DIR: dir, SESSION_SECRET: 't'.repeat(40) }).email.replySecret,
    demo.email.replySecret,
  );

  const set = loadConfig({
    DATA_DIR: dir,
    SESSION_SECRET: session,
    EMAIL_MESSAGE_ID_DOMAIN: 'Mail.Frontdoor.example.gov.uk',
    EMAIL_REPLY_ADDRESS: 'Reply@Council.example.gov.uk',
    EMAIL_REPLY_SECRET: 'r'.repeat(32),
  });
  assert.deepEqual(set.email, {
    messageIdDomain: 'mail.frontdoor.example.gov.uk',
    replyAddress: 'reply@council.example.gov.uk',
    replySecret: 'r'.repeat(32),
  });

  const production = {
    DATA_DIR: dir,
    NODE_ENV: 'production',
    SESSION_SECRET: session,
    PUBLIC_URL: 'https://fd.example.gov.uk',
  };
  assert.equal(loadConfig(production).email.replySecret, null, 'production never derives one');
  assert.throws(
    () => loadConfig({ ...production, EMAIL_REPLY_ADDRESS: 'reply@council.example.gov.uk' }),
    (error: unknown) =>
      error instanceof ConfigError &&
      error.problems.includes(
        'EMAIL_REPLY_SECRET is required when EMAIL_REPLY_ADDRESS is set and NODE_ENV is production',
      ),
  );
  assert.throws(
    () =>
      loadConfig({
        DATA_DIR: dir,
        EMAIL_MESSAGE_ID_DOMAIN: 'not a domain',
        EMAIL_REPLY_ADDRESS: 'reply+x@council.example.gov.uk',
        EMAIL_REPLY_SECRET: 'short-secret-value',
      }),
    (error: unknown) =>
      error instanceof ConfigError &&
      error.problems.length === 3 &&
      error.problems.includes('EMAIL_REPLY_SECRET must be at least 32 characters') &&
      !error.message.includes('short-secret-value'),
  );
});

void test('issue 16: the webchat assistant language model is off unless its URL and model are set; the key is never echoed', () => {
  const dir = dataDir();
  assert.equal(loadConfig({ DATA_DIR: dir }).chatAssistantLlm, null);
  assert.deepEqual(
    loadConfig({
      DATA_DIR: dir,
      CHAT_ASSISTANT_LLM_URL: 'https://llm.example.gov.uk/v1',
      CHAT_ASSISTANT_LLM_KEY: 'llm-key',
      CHAT_ASSISTANT_LLM_MODEL: 'council-small',
    }).chatAssistantLlm,
    { url: 'https://llm.example.gov.uk/v1', key: 'llm-key', model: 'council-small', timeoutMs: 4000 },
  );
  assert.equal(
    loadConfig({
      DATA_DIR: dir,
      CHAT_ASSISTANT_LLM_URL: 'http://localhost:8080/v1',
      CHAT_ASSISTANT_LLM_MODEL: 'm',
      CHAT_ASSISTANT_LLM_TIMEOUT_MS: '1500',
    }).chatAssistantLlm?.timeoutMs,
    1500,
  );
  assert.throws(
    () => loadConfig({ DATA_DIR: dir, CHAT_ASSISTANT_LLM_URL: 'https://llm.example.gov.uk/v1' }),
    /CHAT_ASSISTANT_LLM_MODEL is required when CHAT_ASSISTANT_LLM_URL is set/,
  );
  assert.throws(
    () =>
      loadConfig({
        DATA_DIR: dir,
        CHAT_ASSISTANT_LLM_URL: 'http://llm.example.gov.uk/v1',
        CHAT_ASSISTANT_LLM_MODEL: 'm',
      }),
    /CHAT_ASSISTANT_LLM_URL must be the https:\/\/ base URL/,
  );
  assert.throws(
    () => loadConfig({ DATA_DIR: dir, CHAT_ASSISTANT_LLM_KEY: 'secret-llm-key' }),
    (error: unknown) =>
      error instanceof ConfigError &&
      error.problems.includes(
        'CHAT_ASSISTANT_LLM_KEY and CHAT_ASSISTANT_LLM_MODEL are only used with CHAT_ASSISTANT_LLM_URL',
      ) &&
      !error.message.includes('secret-llm-key'),
  );
});
