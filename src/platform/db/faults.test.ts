import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { DatabaseUnavailableError, faultSummary, isConnectionFault } from './faults.ts';

function pgError(code: string, message = 'server error'): pg.DatabaseError {
  const error = new pg.DatabaseError(message, 100, 'error');
  error.code = code;
  return error;
}

function socketError(code: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`connect ${code} 10.0.0.5:5432`);
  error.code = code;
  return error;
}

void test('terminated backends, connection exceptions and socket errors are connection faults', () => {
  for (const code of [
    '57P01',
    '57P02',
    '57P03',
    '25P03',
    '53300',
    '57014',
    '08000',
    '08003',
    '08006',
    '08P01',
  ])
    assert.equal(isConnectionFault(pgError(code)), true, code);
  for (const code of ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND'])
    assert.equal(isConnectionFault(socketError(code)), true, code);
  for (const message of [
    'Connection terminated unexpectedly',
    'Connection terminated due to connection timeout',
    'Connection terminated',
    'timeout exceeded when trying to connect',
    'Client has encountered a connection error and is not queryable',
  ])
    assert.equal(isConnectionFault(new Error(message)), true, message);
  assert.equal(isConnectionFault(new DatabaseUnavailableError('Cannot connect to PostgreSQL')), true);
});

void test('a fault wrapped as the cause of another error is still a fault', () => {
  const wrapped = new Error('could not save the complaint', { cause: pgError('57P01') });
  assert.equal(isConnectionFault(wrapped), true);
});

void test('ordinary failures are not connection faults (they stay 4xx/500)', () => {
  for (const code of ['23505', '23503', '42P01', '40001', '40P01', '22P02', '55P03'])
    assert.equal(isConnectionFault(pgError(code)), false, code);
  assert.equal(isConnectionFault(new Error('Cannot read properties of undefined')), false);
  assert.equal(isConnectionFault(new TypeError('x is not a function')), false);
  assert.equal(isConnectionFault('Connection terminated'), false, 'not an Error');
  assert.equal(isConnectionFault(null), false);
});

void test('faultSummary gives the code and message only', () => {
  assert.deepEqual(faultSummary(pgError('57P01', 'terminating connection due to administrator command')), {
    code: '57P01',
    message: 'terminating connection due to administrator command',
  });
  assert.deepEqual(faultSummary(new Error('Connection terminated unexpectedly')), {
    code: null,
    message: 'Connection terminated unexpectedly',
  });
});
