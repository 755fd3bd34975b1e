import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  INVITATION_PATH,
  PASSWORD_RESET_PATH,
  PORTAL_PATH,
  type Administration,
} from './administration';
import { sendHtml } from './http-io';
import { errorPage, invitationPage, passwordResetPage, portalPage } from './pages';
import { INVITATION_PARAM } from './provider';

/** Whether `pathname` is one of the pages handleAccountPage serves. */
export function isAccountPage(pathname: string): boolean {
  return [INVITATION_PATH, PORTAL_PATH, PASSWORD_RESET_PATH].some(
    (path) => pathname === path || pathname.startsWith(`${path}/`),
  );
}

/**
 * The hosted pages outside the login: an invitation link (GET shows it, POST accepts and goes on
 * to the app's initiate-login URL with the invitation parameter), the end of a password reset
 * (POST goes to the initiate-login URL with no parameter: docs, guides/dashboard/
 * intitate-login-endpoint), and an admin portal link.
 */
export async function handleAccountPage(
  administration: Administration,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
): Promise<void> {
  const { directory } = administration;
  if (pathname.startsWith(`${INVITATION_PATH}/`)) {
    const token = pathname.slice(INVITATION_PATH.length + 1);
    const invitation = directory.invitation(token);
    const user = invitation && directory.user(invitation.userId);
    const organization = invitation && directory.organization(invitation.organizationId);
    if (!invitation || !user || !organization) {
      return sendHtml(
        res,
        404,
        errorPage('invitation_invalid', 'The invitation is invalid or expired'),
      );
    }
    if (req.method === 'GET') {
      return sendHtml(res, 200, invitationPage(pathname, user.email, organization.name));
    }
    if (req.method === 'POST') {
      return redirect(res, administration.acceptInvitation(token, INVITATION_PARAM));
    }
  }
  if (pathname === PASSWORD_RESET_PATH) {
    if (req.method === 'GET') return sendHtml(res, 200, passwordResetPage(pathname));
    if (req.method === 'POST') return redirect(res, administration.initiateLoginUrl());
  }
  if (pathname.startsWith(`${PORTAL_PATH}/`) && req.method === 'GET') {
    const organization = administration.openPortal(pathname);
    if (!organization) {
      return sendHtml(
        res,
        410,
        errorPage('link_expired', 'The admin portal link is used or expired'),
      );
    }
    return sendHtml(res, 200, portalPage(organization));
  }
  return sendHtml(res, 404, errorPage('not_found', 'unknown page'));
}

function redirect(res: ServerResponse, location: URL): void {
  res.writeHead(303, { location: location.href, 'cache-control': 'no-store' });
  res.end();
}
