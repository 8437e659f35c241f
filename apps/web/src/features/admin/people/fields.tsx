import { useCallback, useEffect, useState } from 'react';
import { Role, type TeamView } from '@ringside/protocol';
import { fieldBinder } from '../shared/forms.js';
import { SelectField, TextField, type FieldErrors } from '../shared/kit.js';
import { peopleApi } from './api.js';

/** The pieces the user and team screens share: options, the user fields, the team list. */

const ROLES = Role.options;

export function RoleOptions() {
  return ROLES.map((r) => <option key={r}>{r}</option>);
}

export function TeamOptions(props: { teams: TeamView[] }) {
  return props.teams.map((t) => (
    <option key={t.id} value={t.id}>
      {t.name}
    </option>
  ));
}

/** A new password, with its limit as the hint. */
export function PasswordField(props: {
  id: string;
  label: string;
  error: string | undefined;
  value: string;
  onChange(value: string): void;
}) {
  return (
    <TextField
      {...props}
      hint="at least 10 characters"
      type="password"
      autoComplete="new-password"
    />
  );
}

/** The teams, loaded once, and a function that loads them again. */
export function useTeams(): [TeamView[], () => Promise<void>] {
  const [teams, setTeams] = useState<TeamView[]>([]);
  const reload = useCallback(async () => {
    setTeams((await peopleApi.teams()).teams);
  }, []);
  useEffect(() => {
    void reload().catch(() => undefined);
  }, [reload]);
  return [teams, reload];
}

export interface UserDraft {
  username: string;
  displayName: string;
  role: string;
  password: string;
  teamId: string;
  phoneType: string;
  sipEndpoint: string;
  active: boolean;
}

/** The user fields' body for the API (create and update alike). */
export function draftBody(d: UserDraft) {
  return {
    displayName: d.displayName,
    role: d.role,
    teamId: d.teamId || null,
    phoneType: d.phoneType,
    sipEndpoint: d.sipEndpoint.trim() || null,
  };
}

/** The fields shared by the new-user and edit forms. */
export function UserFields(props: {
  idPrefix: string;
  draft: UserDraft;
  set(patch: Partial<UserDraft>): void;
  errors: FieldErrors;
  teams: TeamView[];
}) {
  const { idPrefix } = props;
  const bind = fieldBinder(props.draft, props.set, props.errors);
  return (
    <div className="fields">
      <TextField id={`${idPrefix}-display`} label="Display name" {...bind('displayName')} />
      <SelectField id={`${idPrefix}-role`} label="Role" {...bind('role')}>
        <RoleOptions />
      </SelectField>
      <SelectField id={`${idPrefix}-team`} label="Team" {...bind('teamId')}>
        <option value="">no team</option>
        <TeamOptions teams={props.teams} />
      </SelectField>
      <SelectField id={`${idPrefix}-phone`} label="Phone type" {...bind('phoneType')}>
        <option value="webrtc">browser (WebRTC)</option>
        <option value="sip">external SIP phone</option>
      </SelectField>
      <TextField
        id={`${idPrefix}-sip`}
        label="SIP endpoint"
        hint="required for a SIP phone, e.g. PJSIP/agent7"
        {...bind('sipEndpoint')}
      />
    </div>
  );
}
