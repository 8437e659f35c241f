import { useState, type FormEvent } from 'react';
import {
  PasswordReset,
  UserCreate,
  UserUpdate,
  type Me,
  type TeamView,
  type UserView,
} from '@ringside/protocol';
import { fieldBinder, useDraft, useOutcome } from '../shared/forms.js';
import { FormHeading, RefusalBanner, SuccessBanner, TextField } from '../shared/kit.js';
import { peopleApi } from './api.js';
import { draftBody, PasswordField, UserFields, type UserDraft } from './fields.js';

/** A new user: username and password, then the fields every user has. */
export function NewUserForm(props: { teams: TeamView[]; onDone(): void; onCancel(): void }) {
  const [draft, set] = useDraft<UserDraft>({
    username: '',
    displayName: '',
    role: 'agent',
    password: '',
    teamId: '',
    phoneType: 'webrtc',
    sipEndpoint: '',
    active: true,
  });
  const out = useOutcome();
  const errors = out.errors;
  const bind = fieldBinder(draft, set, errors);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = out.check(UserCreate, {
      ...draftBody(draft),
      username: draft.username.trim(),
      password: draft.password,
    });
    if (!body) return;
    const ok = await out.run(async () => {
      const u = await peopleApi.createUser(body);
      return `Created ${u.username}.`;
    });
    if (ok) props.onDone();
  };

  return (
    <form className="card" aria-label="New user" noValidate onSubmit={(e) => void submit(e)}>
      <FormHeading>New user</FormHeading>
      <div className="fields">
        <TextField
          id="nu-username"
          label="Username"
          hint="2-64 of a-z 0-9 . _ -"
          autoComplete="off"
          {...bind('username')}
        />
        <PasswordField id="nu-password" label="Password" {...bind('password')} />
      </div>
      <UserFields idPrefix="nu" draft={draft} set={set} errors={errors} teams={props.teams} />
      <RefusalBanner error={out.error} />
      <div className="row">
        <button type="submit" className="primary">
          Create user
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** A user's fields, activation, password reset and two-factor reset. */
export function EditUserForm(props: {
  me: Me;
  user: UserView;
  teams: TeamView[];
  onSaved(u: UserView): void;
  onCancel(): void;
}) {
  const u = props.user;
  const [draft, set] = useDraft<UserDraft>({
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    password: '',
    teamId: u.teamId ?? '',
    phoneType: u.phoneType,
    sipEndpoint: u.sipEndpoint ?? '',
    active: u.active,
  });
  const [password, setPassword] = useState('');
  const out = useOutcome();
  const errors = out.errors;
  const self = props.me.id === u.id;

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const body = draftBody(draft);
    // Only what changed: the audit log then shows the admin's intent.
    const patch = Object.fromEntries(
      Object.entries(body).filter(([k, v]) => v !== u[k as keyof typeof body]),
    );
    if (Object.keys(patch).length === 0) {
      out.setError(null);
      return;
    }
    const valid = out.check(UserUpdate, patch);
    if (!valid) return;
    await out.run(async () => {
      const saved = await peopleApi.updateUser(u.id, valid);
      props.onSaved(saved);
      return `Saved ${saved.username}.`;
    });
  };

  const reset = async () => {
    if (!out.check(PasswordReset, { password })) return;
    const ok = await out.run(async () => {
      await peopleApi.resetPassword(u.id, password);
      return `New password set for ${u.username}.`;
    });
    if (ok) setPassword('');
  };

  const resetTwoFactor = async () => {
    await out.run(async () => {
      await peopleApi.resetTwoFactor(u.id);
      return `Two-factor sign-in reset for ${u.username}: the next sign-in uses the password alone${u.role === 'admin' ? ', then sets it up again' : ''}.`;
    });
  };

  const setActive = async (active: boolean) => {
    await out.run(async () => {
      if (active) {
        const saved = await peopleApi.updateUser(u.id, { active: true });
        props.onSaved(saved);
        return `${saved.username} can sign in again.`;
      }
      const r = await peopleApi.deactivate(u.id);
      props.onSaved(r.user);
      return r.sessionEnded
        ? `${r.user.username} deactivated and logged out.`
        : `${r.user.username} deactivated.`;
    });
  };

  return (
    <form
      className="card"
      aria-label={`Edit user ${u.username}`}
      noValidate
      onSubmit={(e) => void save(e)}
    >
      <FormHeading>Edit {u.username}</FormHeading>
      <UserFields idPrefix="eu" draft={draft} set={set} errors={errors} teams={props.teams} />
      <RefusalBanner error={out.error} />
      <SuccessBanner message={out.ok} />
      <div className="row">
        <button type="submit" className="primary">
          Save user
        </button>
        {u.active ? (
          <button
            type="button"
            className="danger"
            disabled={self}
            title={self ? 'You cannot deactivate your own account' : undefined}
            onClick={() => void setActive(false)}
          >
            Deactivate
          </button>
        ) : (
          <button type="button" onClick={() => void setActive(true)}>
            Reactivate
          </button>
        )}
        <button type="button" onClick={props.onCancel}>
          Close
        </button>
      </div>
      <fieldset>
        <legend>Reset password</legend>
        <div className="row">
          <PasswordField
            id="eu-password"
            label="New password"
            error={errors.password}
            value={password}
            onChange={setPassword}
          />
          <button type="button" onClick={() => void reset()}>
            Set password
          </button>
        </div>
      </fieldset>
      <fieldset>
        <legend>Two-factor sign-in</legend>
        <div className="row">
          <button type="button" onClick={() => void resetTwoFactor()}>
            Reset second factor
          </button>
        </div>
      </fieldset>
    </form>
  );
}
