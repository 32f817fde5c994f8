import { Metadata, status } from '@grpc/grpc-js';
import {
  ConflictError,
  ForbiddenError,
  LimitExceededError,
  NotFoundError,
  ValidationError,
} from '@presence/domain';
import type { DomainError } from '@presence/domain';
import { describe, expect, it } from 'vitest';
import { grpcStatusError, toGrpcError, toHttpError, toHttpStatus } from './error-mapping.js';

const cases: Array<[DomainError, status, number]> = [
  [
    new ValidationError('invalid_user_id', 'user_id must match ...; got "a.b"', 'user_id'),
    status.INVALID_ARGUMENT,
    400,
  ],
  [new NotFoundError('room_not_found', 'room "r1" does not exist'), status.NOT_FOUND, 404],
  [
    new ConflictError('last_admin', 'the only admin of room "r1" cannot leave'),
    status.FAILED_PRECONDITION,
    409,
  ],
  [new ForbiddenError('not_host', 'only the host may mute others'), status.PERMISSION_DENIED, 403],
  [
    new LimitExceededError('too_many_connections', 'max_connections 10 reached'),
    status.RESOURCE_EXHAUSTED,
    429,
  ],
];

describe('toGrpcError', () => {
  it.each(cases)('maps %s to its status, keeping message, code and field', (error, code) => {
    const mapped = toGrpcError(error);
    expect(mapped).toMatchObject({ code, details: error.message });
    expect(mapped.metadata.get('error-code')).toEqual([error.code]);
    expect(mapped.metadata.get('error-field')).toEqual(
      error.field === undefined ? [] : [error.field],
    );
  });

  it('hides the text of any other error behind INTERNAL', () => {
    for (const thrown of [
      new Error('connect ECONNREFUSED 10.0.0.7:5432 password=hunter2'),
      'boom',
      undefined,
    ]) {
      const mapped = toGrpcError(thrown);
      expect(mapped).toMatchObject({ code: status.INTERNAL, details: 'internal error' });
      expect(mapped.metadata.get('error-code')).toEqual(['internal']);
    }
  });

  it('masks status errors from downstream calls but passes deliberate ones through', () => {
    const downstream = Object.assign(new Error('14 UNAVAILABLE: 10.0.0.7'), {
      code: status.UNAVAILABLE,
      details: 'No connection established to 10.0.0.7',
      metadata: new Metadata(),
    });
    expect(toGrpcError(downstream).code).toBe(status.INTERNAL);
    const deliberate = grpcStatusError(status.UNAVAILABLE, 'presence is switched off');
    expect(toGrpcError(deliberate)).toBe(deliberate);
  });
});

describe('toHttpStatus / toHttpError', () => {
  it.each(cases)('maps %s to its HTTP status and a snake_case body', (error, _code, httpStatus) => {
    expect(toHttpStatus(error)).toBe(httpStatus);
    expect(toHttpError(error)).toEqual({
      status: httpStatus,
      body: { error: error.code, message: error.message },
    });
  });

  it('gives 500 and a generic body for anything else', () => {
    expect(toHttpStatus(new Error('secret'))).toBe(500);
    expect(toHttpError(new Error('secret'))).toEqual({
      status: 500,
      body: { error: 'internal', message: 'internal error' },
    });
  });
});
