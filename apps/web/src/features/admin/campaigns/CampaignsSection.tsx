import { useCallback, useEffect, useState } from 'react';
import type { Campaign, Me } from '@ringside/protocol';
import { DataTable, AdminSection, RefusalBanner, SuccessBanner } from '../shared/kit.js';
import { campaignsApi } from './api.js';
import { CampaignForm } from './CampaignForm.js';
import { RecycleRulesEditor } from './RecycleRulesEditor.js';
import { VoicemailForm } from './VoicemailForm.js';
import { ThresholdsEditor } from '../../supervisor/ThresholdsEditor.js';

/**
 * Campaigns: the list, the settings form of the one picked (or a new one), and its recycle
 * rules; the script has its own section (ScriptsSection.tsx).
 */
export function CampaignsSection(props: { me: Me; path: string }) {
  const [campaigns, setCampaigns] = useState<Campaign[]>([]);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [flash, setFlash] = useState<string | null>(null);
  const selected = props.path || null;

  const reload = useCallback(async () => {
    try {
      setCampaigns((await campaignsApi.list()).campaigns);
    } catch (err) {
      setLoadError(err);
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);

  const current = selected && selected !== 'new' ? campaigns.find((c) => c.id === selected) : null;

  return (
    <AdminSection headingId="campaigns-heading" title="Campaigns">
      <RefusalBanner error={loadError} title="Could not load campaigns" />
      <SuccessBanner message={flash} />
      <a href="#/admin/campaigns/new" className="button-link" onClick={() => setFlash(null)}>
        New campaign
      </a>
      <DataTable
        caption="Campaigns"
        rows={campaigns}
        rowKey={(c) => c.id}
        selectedKey={selected}
        columns={[
          { header: 'Name', cell: (c) => c.name },
          { header: 'Active', cell: (c) => (c.active ? 'yes' : 'no') },
          { header: 'Method', cell: (c) => `${c.dialMethod} ${c.dialLevel}` },
          { header: 'Window', cell: (c) => `${c.windowStart}-${c.windowEnd}` },
          { header: 'Ring timeout', cell: (c) => `${c.ringTimeoutS} s` },
          {
            header: 'Actions',
            cell: (c) => (
              <a href={`#/admin/campaigns/${c.id}`} onClick={() => setFlash(null)}>
                Edit <span className="sr-only">{c.name}</span>
              </a>
            ),
          },
        ]}
      />
      {selected === 'new' && (
        <CampaignForm
          key="new"
          campaign={null}
          onSaved={(c) => {
            setFlash(`Created campaign ${c.name}.`);
            void reload();
            window.location.hash = `#/admin/campaigns/${c.id}`;
          }}
        />
      )}
      {current && (
        <>
          <CampaignForm
            key={current.id}
            campaign={current}
            onSaved={(c) => {
              setFlash(`Saved campaign ${c.name}.`);
              void reload();
            }}
          />
          <RecycleRulesEditor key={`rr-${current.id}`} campaignId={current.id} />
          <VoicemailForm key={`vm-${current.id}`} campaignId={current.id} />
          <section className="card" aria-labelledby={`th-heading-${current.id}`}>
            <h3 id={`th-heading-${current.id}`}>Supervisor wall thresholds</h3>
            <ThresholdsEditor
              key={`th-${current.id}`}
              campaignId={current.id}
              campaignName={current.name}
            />
          </section>
          <p>
            <a href={`#/admin/scripts/${current.id}`}>Edit the script of {current.name}</a>
          </p>
        </>
      )}
    </AdminSection>
  );
}
