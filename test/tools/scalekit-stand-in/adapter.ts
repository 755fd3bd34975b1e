import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { ClientRegistry } from './client-registry';
import { findM2mClient, m2mClientMetadata } from './m2m-clients';
import type { Directory } from './directory';

/** The models that hold what a grant issued. */
const TOKEN_MODELS = ['AuthorizationCode', 'RefreshToken', 'AccessToken'];

interface Entry {
  payload: AdapterPayload;
  expiresAt: number;
}

/**
 * oidc-provider's storage, kept in memory for one issuer run. It outlives the Provider instance,
 * which is rebuilt on key rotation, so sessions, grants and refresh tokens survive a rotation.
 * Clients are not stored: the `Client` model reads the live registry.
 */
export class MemoryStore {
  readonly #entries = new Map<string, Entry>();
  // oidc-provider's Grant has no room for extra data and re-saves only its own fields.
  readonly #grantOrganizations = new Map<string, string>();

  constructor(
    readonly clients: ClientRegistry,
    /** Who may sign in where: read by the hosted login and the token shaping. */
    readonly directory: Directory,
  ) {}

  /** The `adapter` factory oidc-provider calls once per model name. */
  adapterFor = (model: string): Adapter => {
    if (model === 'Client') return new ClientAdapter(this.clients);
    return new ModelAdapter(model, this.#entries);
  };

  /** Records the organization a grant signs in to; every token of the grant carries it. */
  setGrantOrganization(grantId: string, organizationId: string): void {
    this.#grantOrganizations.set(grantId, organizationId);
  }

  grantOrganization(grantId: string | undefined): string | undefined {
    return grantId === undefined ? undefined : this.#grantOrganizations.get(grantId);
  }

  /**
   * Ends everything a session issued: the codes and refresh tokens of all its grants (one per
   * organization signed in to), and the grants themselves. Synchronous, so it is done before the
   * logout response leaves.
   */
  revokeSession(sessionUid: string): void {
    const grantIds = new Set<string>();
    for (const [key, { payload }] of this.#entries) {
      if (payload.sessionUid !== sessionUid) continue;
      if (payload.grantId) grantIds.add(payload.grantId);
      this.#entries.delete(key);
    }
    for (const grantId of grantIds) this.#forgetGrant(grantId);
  }

  /**
   * An admin's revocation: what `revokeSession` ends, and the browser's session at the hosted
   * pages too, so the next sign-in there asks who signs in.
   */
  revokeBrowserSession(sessionUid: string): void {
    this.revokeSession(sessionUid);
    for (const [key, { payload }] of this.#entries) {
      if (key.startsWith('Session:') && payload.uid === sessionUid) this.#entries.delete(key);
    }
  }

  /**
   * Ends the user's grants into one organization, with their codes and refresh tokens: a removed
   * member's next refresh there is an invalid_grant. Their other organizations keep working.
   */
  revokeMembershipGrants(userId: string, organizationId: string): void {
    const grantIds = new Set<string>();
    for (const [key, { payload }] of this.#entries) {
      if (!key.startsWith('Grant:') || payload.accountId !== userId) continue;
      const grantId = key.slice('Grant:'.length);
      if (this.#grantOrganizations.get(grantId) === organizationId) grantIds.add(grantId);
    }
    for (const [key, { payload }] of this.#entries) {
      const isToken = TOKEN_MODELS.some((model) => key.startsWith(`${model}:`));
      if (isToken && payload.grantId && grantIds.has(payload.grantId)) this.#entries.delete(key);
    }
    for (const grantId of grantIds) this.#forgetGrant(grantId);
  }

  #forgetGrant(grantId: string): void {
    this.#entries.delete(`Grant:${grantId}`);
    this.#grantOrganizations.delete(grantId);
  }
}

class ModelAdapter implements Adapter {
  constructor(
    readonly model: string,
    readonly entries: Map<string, Entry>,
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const expiresAt = expiresIn === undefined ? Infinity : Date.now() + expiresIn * 1000;
    this.entries.set(this.#key(id), { payload, expiresAt });
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.#live(this.#key(id))?.payload;
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.#findWhere((payload) => payload.uid === uid);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.#findWhere((payload) => payload.userCode === userCode);
  }

  async consume(id: string): Promise<void> {
    const entry = this.#live(this.#key(id));
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    this.entries.delete(this.#key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    for (const [key, { payload }] of this.entries) {
      if (key.startsWith(`${this.model}:`) && payload.grantId === grantId) this.entries.delete(key);
    }
  }

  #key(id: string): string {
    return `${this.model}:${id}`;
  }

  #live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #findWhere(matches: (payload: AdapterPayload) => boolean): AdapterPayload | undefined {
    for (const key of this.entries.keys()) {
      if (!key.startsWith(`${this.model}:`)) continue;
      const payload = this.#live(key)?.payload;
      if (payload && matches(payload)) return payload;
    }
    return undefined;
  }
}

class ClientAdapter implements Adapter {
  constructor(readonly clients: ClientRegistry) {}

  async find(id: string): Promise<AdapterPayload | undefined> {
    if (id === this.clients.clientId) return { ...this.clients.metadata() };
    const m2m = findM2mClient(id);
    return m2m && { ...m2mClientMetadata(m2m) };
  }

  async findByUid(): Promise<undefined> {
    return undefined;
  }

  async findByUserCode(): Promise<undefined> {
    return undefined;
  }

  // Registration is disabled, so oidc-provider never writes clients.
  async upsert(): Promise<void> {}
  async consume(): Promise<void> {}
  async destroy(): Promise<void> {}
  async revokeByGrantId(): Promise<void> {}
}
