import type { JWSHeaderParameters, JWTPayload } from 'jose';
import { issuerControl } from '../support/issuer-control';
import type { Signer } from './mint-session';

/**
 * Signs with the local Scalekit stand-in's real key (over its `/__control/sign`, so it works from
 * the edge project too): the app verifies these against the stand-in's `/keys` as it would
 * Scalekit's tokens.
 *
 * @example
 * const signer = standInSigner(inject('issuerUrl'), inject('clientId'));
 */
export function standInSigner(issuerUrl: string, clientId: string): Signer {
  const control = issuerControl(issuerUrl);
  return {
    issuer: issuerUrl,
    clientId,
    sign: (payload: JWTPayload, header?: JWSHeaderParameters) => control.sign(payload, header),
  };
}
