import { Type, type Static } from '@sinclair/typebox';
import { Id, StringEnum } from './primitives.js';
import { KEY_SCOPES, PERMISSIONS, ROLES } from './roles.js';

/** People who sign in to the dashboard, their sessions, and what admins manage: users, API keys, webhooks, the audit log. */

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

export const Username = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._@-]*$',
  description: '1–64 letters, digits and . _ @ -, starting with a letter or digit; unique whatever the case',
});
export const Password = Type.String({
  minLength: PASSWORD_MIN_LENGTH,
  maxLength: PASSWORD_MAX_LENGTH,
  description: `${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`,
});
const Regions = Type.Union([Type.Array(Type.String()), Type.Null()], { description: 'the regions one sees; null: every region' });
const RegionsInput = Type.Union([Type.Array(Id, { minItems: 1, uniqueItems: true }), Type.Null()], { description: 'the regions one sees; null: every region' });
const Time = Type.String({ description: 'ISO time' });
const NullableTime = Type.Union([Time, Type.Null()]);

export const SignIn = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 256 }),
  password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }),
}, { additionalProperties: false });
export type SignIn = Static<typeof SignIn>;

export const SessionUser = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  role: StringEnum(ROLES),
  regions: Regions,
});
export type SessionUser = Static<typeof SessionUser>;

/** What the dashboard learns at sign-in: who is signed in and what they may do. */
export const Session = Type.Object({ user: SessionUser, permissions: Type.Array(StringEnum(PERMISSIONS)) });
export type Session = Static<typeof Session>;

export const User = Type.Composite([
  SessionUser,
  Type.Object({ disabledAt: NullableTime, createdAt: Time }),
]);
export type User = Static<typeof User>;

export const NewUser = Type.Object({
  username: Username,
  displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'default: the username' })),
  role: StringEnum(ROLES),
  regions: Type.Optional(RegionsInput),
  password: Password,
}, { additionalProperties: false });
export type NewUser = Static<typeof NewUser>;

export const UserChange = Type.Object({
  displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  role: Type.Optional(StringEnum(ROLES)),
  regions: Type.Optional(RegionsInput),
  disabled: Type.Optional(Type.Boolean({ description: 'true signs the user out everywhere and refuses their sign-in; false enables them again' })),
  password: Type.Optional(Password),
}, { additionalProperties: false });
export type UserChange = Static<typeof UserChange>;

export const ApiKeyInfo = Type.Object({
  id: Type.String(),
  name: Type.String(),
  scopes: Type.Array(StringEnum(KEY_SCOPES)),
  regions: Regions,
  createdAt: Time,
  revokedAt: NullableTime,
});
export type ApiKeyInfo = Static<typeof ApiKeyInfo>;

export const NewApiKey = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  scopes: Type.Array(StringEnum(KEY_SCOPES), { minItems: 1, uniqueItems: true }),
  regions: Type.Optional(RegionsInput),
}, { additionalProperties: false });
export type NewApiKey = Static<typeof NewApiKey>;

export const CreatedApiKey = Type.Object({
  key: ApiKeyInfo,
  token: Type.String({ description: 'the key to send as "Authorization: Bearer <token>"; shown only now' }),
});

export const Webhook = Type.Object({
  id: Type.String(),
  url: Type.String(),
  createdAt: Time,
  createdBy: Type.String({ description: 'who added it' }),
});
export type Webhook = Static<typeof Webhook>;

export const NewWebhook = Type.Object({
  url: Type.String({ maxLength: 2000, pattern: '^https?://[^\\s]+$', description: 'an http or https URL that receives each daily briefing as JSON' }),
}, { additionalProperties: false });

export const ACTOR_KINDS = ['user', 'key', 'system'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

export const AuditEntry = Type.Object({
  id: Type.String(),
  at: Time,
  actor: Type.Object({
    kind: StringEnum(ACTOR_KINDS, 'a signed-in user, an API key, or the admin command and start-up (system)'),
    id: Type.String(),
    name: Type.String(),
  }),
  action: Type.String({ description: 'e.g. user.create, key.revoke, webhook.add' }),
  target: Type.String({ description: 'what was acted on, e.g. user:3' }),
  detail: Type.Record(Type.String(), Type.Unknown()),
});
export type AuditEntry = Static<typeof AuditEntry>;
