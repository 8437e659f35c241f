import { useEffect } from 'react';
import type { Me } from '@ringside/protocol';
import { UsersSection } from './people/UsersSection.js';
import { TeamsSection } from './people/TeamsSection.js';
import { CampaignsSection } from './campaigns/CampaignsSection.js';
import { ScriptsSection } from './campaigns/ScriptsSection.js';
import { ListsSection } from './lists/ListsSection.js';
import { DispositionsSection, PauseCodesSection } from './codes/CodeSections.js';
import { DncSection } from './dnc/DncSection.js';
import { StateRulesSection } from './state-rules/StateRulesSection.js';

const SECTIONS = [
  { id: 'users', label: 'Users', Component: UsersSection },
  { id: 'teams', label: 'Teams', Component: TeamsSection },
  { id: 'campaigns', label: 'Campaigns', Component: CampaignsSection },
  { id: 'lists', label: 'Lists & import', Component: ListsSection },
  { id: 'dispositions', label: 'Dispositions', Component: DispositionsSection },
  { id: 'pause-codes', label: 'Pause codes', Component: PauseCodesSection },
  { id: 'dnc', label: 'DNC', Component: DncSection },
  { id: 'state-rules', label: 'State rules', Component: StateRulesSection },
  { id: 'scripts', label: 'Scripts', Component: ScriptsSection },
] as const;

/** Admin screens; `section` is the hash after #/admin/ (e.g. `campaigns`, `lists/12`). */
export function Admin(props: { me: Me; section: string }) {
  const [head = '', ...tail] = props.section.split('/');
  const current = SECTIONS.find((s) => s.id === head) ?? SECTIONS[0];
  const Section = current.Component;
  useEffect(() => {
    document.title = 'Admin — Ringside';
  }, []);
  return (
    <main className="admin">
      <h1>Admin</h1>
      <nav className="admin-nav" aria-label="Admin sections">
        {SECTIONS.map((s) => (
          <a
            key={s.id}
            href={`#/admin/${s.id}`}
            aria-current={s.id === current.id ? 'page' : undefined}
          >
            {s.label}
          </a>
        ))}
      </nav>
      <Section me={props.me} path={tail.join('/')} />
    </main>
  );
}
