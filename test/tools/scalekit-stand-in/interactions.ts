import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Interaction, InteractionResults, Provider } from 'oidc-provider';
import { readBody, sendHtml } from './http-io';
import { errorPage, loginPage } from './pages';
import { APP_RESOURCE, INTERACTION_PATH } from './provider';
import { TEST_USERS, type TestUserKey } from './users';

/**
 * The hosted login: GET shows the user picker, POST `<uid>/login` records the choice. A pending
 * consent (offline_access, or scopes beyond the existing grant) is granted without a screen, as
 * Scalekit does not ask for consent.
 */
export async function handleInteraction(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
): Promise<void> {
  const [uid, action, ...rest] = pathname.slice(INTERACTION_PATH.length + 1).split('/');
  let interaction: Interaction;
  try {
    interaction = await provider.interactionDetails(req, res);
  } catch (error) {
    return sendHtml(res, 400, errorPage('invalid_request', (error as Error).message));
  }
  if (interaction.uid !== uid || rest.length > 0) {
    return sendHtml(res, 404, errorPage('not_found', 'unknown interaction'));
  }

  if (req.method === 'GET' && action === undefined) {
    const accountId = interaction.session?.accountId;
    if (interaction.prompt.name === 'consent' && accountId) {
      const grantId = await saveGrant(provider, interaction, accountId);
      return provider.interactionFinished(req, res, { consent: { grantId } });
    }
    return sendHtml(res, 200, loginPage(`${INTERACTION_PATH}/${uid}/login`));
  }

  if (req.method === 'POST' && action === 'login') {
    const choice = new URLSearchParams(await readBody(req)).get('user');
    return provider.interactionFinished(req, res, await loginResult(provider, interaction, choice));
  }

  return sendHtml(res, 405, errorPage('invalid_request', 'unsupported interaction request'));
}

async function loginResult(
  provider: Provider,
  interaction: Interaction,
  choice: string | null,
): Promise<InteractionResults> {
  const user = isUserKey(choice) && choice !== 'denied' ? TEST_USERS[choice] : undefined;
  if (!user) {
    return {
      error: 'access_denied',
      error_description: 'The user denied access to the application',
    };
  }
  // Every prompt the application asked for (login, consent, create, select_account) is settled by
  // this one choice; oidc-provider resumes only when none is left pending.
  const requested = String(interaction.params.prompt ?? '')
    .split(' ')
    .filter(Boolean);
  return {
    ...Object.fromEntries(requested.map((prompt) => [prompt, {}])),
    login: { accountId: user.id },
    consent: { grantId: await saveGrant(provider, interaction, user.id) },
  };
}

/** Grants everything the request asked for, extending the session's grant when it is this user's. */
async function saveGrant(
  provider: Provider,
  interaction: Interaction,
  accountId: string,
): Promise<string> {
  const existing = interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined;
  const grant =
    existing?.accountId === accountId
      ? existing
      : new provider.Grant({ accountId, clientId: String(interaction.params.client_id) });
  const scope = String(interaction.params.scope ?? '');
  grant.addOIDCScope(scope);
  grant.addResourceScope(APP_RESOURCE, scope);
  return grant.save();
}

function isUserKey(value: string | null): value is TestUserKey {
  return value === 'denied' || (value !== null && Object.hasOwn(TEST_USERS, value));
}
