import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Interaction, InteractionResults, Provider } from 'oidc-provider';
import type { MemoryStore } from './adapter';
import { readBody, sendHtml } from './http-io';
import { errorPage, loginPage, organizationPage, type OrganizationChoice } from './pages';
import { APP_RESOURCE, INTERACTION_PATH, INVITATION_PARAM, ORGANIZATION_PARAM } from './provider';
import type { Person } from './users';

// Scalekit's SSO error reference lists `invalid_organization_id` ("Invalid organization ID") among
// the errors it sends to the redirect URI.
const UNKNOWN_ORGANIZATION: InteractionResults = {
  error: 'invalid_organization_id',
  error_description: 'Invalid organization ID',
};
// What Scalekit answers for an organization the user does not belong to is not documented; of the
// errors it documents, access_denied is the one that says "this user may not sign in here".
const NOT_A_MEMBER: InteractionResults = {
  error: 'access_denied',
  error_description: 'The user is not a member of the requested organization',
};
const DENIED: InteractionResults = {
  error: 'access_denied',
  error_description: 'The user denied access to the application',
};

/** The organization picker has to be shown before the authorization can finish. */
const PICK = Symbol('pick an organization');

/**
 * The hosted login. GET shows the login page, or the organization picker once someone is signed
 * in; POST `<uid>/login` records the chosen user, POST `<uid>/organization` the chosen
 * organization. Consent (offline_access, or scopes beyond the existing grant) is granted without
 * a screen, as Scalekit does not ask for it. Every grant saved here records the one organization
 * its tokens are for.
 */
export async function handleInteraction(
  provider: Provider,
  store: MemoryStore,
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
  const flow = new AuthorizationFlow(provider, store, interaction);
  const finish = (result: InteractionResults) => provider.interactionFinished(req, res, result);
  const { directory } = store;

  if (req.method === 'GET' && action === undefined) {
    if (flow.organizationId !== undefined && !directory.organization(flow.organizationId)) {
      return finish(UNKNOWN_ORGANIZATION);
    }
    // The invitation link verified the person already: no login page (docs:
    // fsa/guides/user-invitations, "Handle invitation acceptance"). A used, unknown or forged
    // invitation parameter verifies nobody, and the login page asks as usual.
    const invited = flow.invitation && directory.takeInvitationSignIn(flow.invitation);
    if (invited) {
      const granted = await flow.grant(invited.user, invited.organizationId);
      return finish({ ...granted, login: { accountId: invited.user.id } });
    }
    const user = directory.user(interaction.session?.accountId);
    if (!user || flow.asksWhoSignsIn()) {
      return sendHtml(res, 200, flow.loginPage(`${INTERACTION_PATH}/${uid}/login`));
    }
    const settled = await flow.settle(user);
    if (settled === PICK) {
      return sendHtml(
        res,
        200,
        organizationPage(`${INTERACTION_PATH}/${uid}/organization`, user, flow.choices(user)),
      );
    }
    return finish(settled);
  }

  if (req.method === 'POST' && action === 'login') {
    const choice = new URLSearchParams(await readBody(req)).get('user');
    const user = directory.userForLoginChoice(choice);
    if (!user) return finish(DENIED);
    const settled = await flow.settle(user);
    if (settled !== PICK && settled.error) return finish(settled);
    // Signed in, organization still open: oidc-provider comes back with a new interaction (the
    // select_account prompt is pending), whose GET shows the picker for the signed-in user.
    const prompts = settled === PICK ? flow.resolvedPrompts('select_account') : settled;
    return finish({ ...prompts, login: { accountId: user.id } });
  }

  if (req.method === 'POST' && action === 'organization') {
    const user = directory.user(interaction.session?.accountId);
    if (!user || flow.organizationId !== undefined) {
      return sendHtml(res, 400, errorPage('invalid_request', 'no organization to choose'));
    }
    const choice = new URLSearchParams(await readBody(req)).get('organization') ?? '';
    if (!directory.activeMembership(user.id, choice)) return finish(NOT_A_MEMBER);
    return finish(await flow.grant(user, choice));
  }

  return sendHtml(res, 405, errorPage('invalid_request', 'unsupported interaction request'));
}

/** What one authorization request asked for, and how it settles once the user is known. */
class AuthorizationFlow {
  /** The `organization_id` of the request, if it named one. */
  readonly organizationId: string | undefined;
  /** The invitation parameter the app forwarded from the initiate-login URL, if any. */
  readonly invitation: string | undefined;
  readonly #prompts: Set<string>;

  constructor(
    readonly provider: Provider,
    readonly store: MemoryStore,
    readonly interaction: Interaction,
  ) {
    const organizationId = interaction.params[ORGANIZATION_PARAM];
    this.organizationId = typeof organizationId === 'string' ? organizationId : undefined;
    const invitation = interaction.params[INVITATION_PARAM];
    this.invitation = typeof invitation === 'string' ? invitation : undefined;
    this.#prompts = new Set(
      String(interaction.params.prompt ?? '')
        .split(' ')
        .filter(Boolean),
    );
  }

  /**
   * Whether the login page is due although the session knows the user: for `prompt=login` (and
   * an organization's SSO, see provider.ts), and for `prompt=create`, Scalekit's sign-up page,
   * until the login page has answered it.
   */
  asksWhoSignsIn(): boolean {
    const { prompt, lastSubmission } = this.interaction;
    return prompt.name === 'login' || (this.#prompts.has('create') && !lastSubmission?.create);
  }

  loginPage(action: string): string {
    const { organizationId, interaction } = this;
    const hint = interaction.params.login_hint;
    // Only `organization_id` without select_account is a sign-in through the organization's SSO.
    const sso = this.#prompts.has('select_account') ? undefined : organizationId;
    const { directory } = this.store;
    return loginPage(action, {
      organization: sso === undefined ? undefined : directory.organization(sso),
      loginHint: typeof hint === 'string' ? hint : undefined,
      choices: directory.loginChoices().map(({ value, user }) => ({
        value,
        user,
        organizations: this.choices(user),
      })),
    });
  }

  /** The organizations the user may sign in to (active memberships), with their roles there. */
  choices(user: Person): OrganizationChoice[] {
    const { directory } = this.store;
    return directory
      .memberships(user.id)
      .filter((membership) => membership.status === 'active')
      .map(({ organizationId, roles }) => ({
        id: organizationId,
        name: directory.organization(organizationId)?.name ?? organizationId,
        roles,
      }));
  }

  /**
   * The organization the user signs in to: the one the request names (they must belong to it),
   * the picker's choice when select_account asks for one and they have several, else the
   * organization of the session's grant, else their default one. A single-organization user
   * skips the picker: Scalekit documents the switcher for users of several organizations only.
   */
  async settle(user: Person): Promise<InteractionResults | typeof PICK> {
    const { organizationId, store } = this;
    if (organizationId !== undefined) {
      if (!store.directory.organization(organizationId)) return UNKNOWN_ORGANIZATION;
      if (!store.directory.activeMembership(user.id, organizationId)) return NOT_A_MEMBER;
      return this.grant(user, organizationId);
    }
    const organizations = this.choices(user);
    if (this.#prompts.has('select_account') && organizations.length > 1) return PICK;
    const current = await this.#sessionGrant(user);
    const organization = current && store.grantOrganization(current.jti);
    // A removed membership no longer counts, whatever the session signed in to before.
    const usable = organizations.find(({ id }) => id === organization) ?? organizations[0];
    return usable ? this.grant(user, usable.id) : NOT_A_MEMBER;
  }

  /** Settles every prompt the request asked for, with a grant into `organizationId`. */
  async grant(user: Person, organizationId: string): Promise<InteractionResults> {
    return {
      ...this.resolvedPrompts(),
      consent: { grantId: await this.#saveGrant(user, organizationId) },
    };
  }

  /**
   * The requested prompts settled by showing the page, but `except` and the two with results of
   * their own: `login` (who signed in, kept from an earlier interaction of this request) and
   * `consent` (the grant). oidc-provider resumes only when none is left pending.
   */
  resolvedPrompts(except?: string): InteractionResults {
    const settled = [...this.#prompts].filter(
      (prompt) => prompt !== 'login' && prompt !== 'consent' && prompt !== except,
    );
    return Object.fromEntries(settled.map((prompt) => [prompt, {}]));
  }

  async #sessionGrant(user: Person) {
    const { grantId } = this.interaction;
    const grant = grantId ? await this.provider.Grant.find(grantId) : undefined;
    return grant?.accountId === user.id ? grant : undefined;
  }

  /**
   * Grants everything the request asked for. The session's grant is extended when it is this
   * user's in this organization; another organization gets a grant of its own, so the refresh
   * tokens of the first one keep refreshing into their organization.
   */
  async #saveGrant(user: Person, organizationId: string): Promise<string> {
    const { provider, store, interaction } = this;
    const current = await this.#sessionGrant(user);
    const grant =
      current && store.grantOrganization(current.jti) === organizationId
        ? current
        : new provider.Grant({
            accountId: user.id,
            clientId: String(interaction.params.client_id),
          });
    const scope = String(interaction.params.scope ?? '');
    grant.addOIDCScope(scope);
    grant.addResourceScope(APP_RESOURCE, scope);
    const grantId = await grant.save();
    store.setGrantOrganization(grantId, organizationId);
    return grantId;
  }
}
