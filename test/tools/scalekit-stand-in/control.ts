import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JWSHeaderParameters, JWTPayload } from 'jose';
import type { RunningIssuer } from '.';
import { readBody, sendJson } from './http-io';
import { ENDPOINTS, FAULT_MODES } from './traffic';

export const CONTROL_PATH = '/__control';

type Controls = Omit<RunningIssuer, 'url' | 'clientId' | 'clientSecret' | 'close'>;
type Body = Record<string, unknown>;

/**
 * The test controls over HTTP (JSON in, JSON out), for code that cannot hold the issuer object:
 * other processes, the edge-runtime VM. The issuer listens on loopback only.
 */
export async function handleControl(
  controls: Controls,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
): Promise<void> {
  const route = CONTROLS[`${req.method} ${pathname.slice(CONTROL_PATH.length + 1)}`];
  if (!route) return sendJson(res, 404, { error: 'not_found' });
  try {
    sendJson(res, 200, await route(controls, await readJson(req)));
  } catch (error) {
    sendJson(res, 400, { error: 'invalid_request', error_description: (error as Error).message });
  }
}

const OK = { ok: true };

const CONTROLS: Record<string, (controls: Controls, body: Body) => unknown> = {
  'POST rotate-keys': (controls) => controls.rotateKeys(),
  'POST fault': (controls, body) => {
    const mode = body.mode === null ? null : oneOf(body.mode, FAULT_MODES, 'mode');
    controls.setFault(
      oneOf(body.endpoint, ENDPOINTS, 'endpoint'),
      mode,
      optionalNumber(body.delayMs),
    );
    return OK;
  },
  'GET counts': (controls) => controls.counts(),
  'POST reset-counts': (controls) => {
    controls.resetCounts();
    return OK;
  },
  'POST ttl': (controls, body) => {
    controls.setAccessTokenTtl(Number(body.seconds));
    return OK;
  },
  'POST client': (controls, body) => {
    controls.registerClientUris({
      redirectUris: stringList(body.redirectUris, 'redirectUris'),
      postLogoutRedirectUris: stringList(body.postLogoutRedirectUris, 'postLogoutRedirectUris'),
      initiateLoginUri: optionalString(body.initiateLoginUri, 'initiateLoginUri'),
    });
    return OK;
  },
  // What an admin's invitation in the dashboard does; answers the link the email would carry.
  'POST invitations': (controls, body) => {
    const { user, invitation, url } = controls.administration.invite(
      String(body.organizationId),
      String(body.email),
      { roles: body.roles === undefined ? undefined : stringList(body.roles, 'roles') },
    );
    return { userId: user.id, token: invitation.token, url };
  },
  // The invitation emails the stand-in did not send: whom each invites where, and its link.
  'GET invitations': ({ administration }) =>
    administration.directory.pendingInvitations().map((invitation) => ({
      email: administration.directory.user(invitation.userId)?.email,
      organizationId: invitation.organizationId,
      userId: invitation.userId,
      url: administration.invitationUrl(invitation),
    })),
  'POST date-skew': (controls, body) => {
    controls.setDateSkew(Number(body.seconds));
    return OK;
  },
  'POST token-mode': (controls, body) => {
    controls.setTokenMode({
      omitNonce: body.omitNonce === true,
      nullClaims: body.nullClaims === true,
      modularSso: body.modularSso === true,
      ...(body.authTime === 'number' || body.authTime === 'null'
        ? { authTime: body.authTime }
        : {}),
    });
    return OK;
  },
  'POST webhooks': (controls, body) => {
    controls.webhooks.register(String(body.url), String(body.secret));
    return OK;
  },
  'GET webhook-deliveries': (controls) => controls.webhooks.deliveries(),
  // Answers once the delivery at `index` has settled: a test waits on it instead of polling.
  'POST webhook-deliveries/settled': async (controls, body) => {
    await controls.webhooks.settled(Number(body.index));
    return controls.webhooks.deliveries();
  },
  'POST sign': async (controls, body) => ({
    token: await controls.signJwt(
      object(body.payload, 'payload') as JWTPayload,
      body.header === undefined
        ? undefined
        : (object(body.header, 'header') as JWSHeaderParameters),
    ),
  }),
};

function oneOf<T extends string>(value: unknown, allowed: readonly T[], name: string): T {
  if (!allowed.includes(value as T)) {
    throw new TypeError(`${name} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string`);
  return value;
}

function optionalNumber(value: unknown): number | undefined {
  return value === undefined ? undefined : Number(value);
}

function stringList(value: unknown, name: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new TypeError(`${name} must be a list of strings`);
  }
  return value;
}

function object(value: unknown, name: string): Body {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${name} must be a JSON object`);
  }
  return value as Body;
}

async function readJson(req: IncomingMessage): Promise<Body> {
  const text = await readBody(req);
  return text ? object(JSON.parse(text), 'body') : {};
}
