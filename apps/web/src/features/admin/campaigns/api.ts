import {
  Campaign,
  CampaignList,
  RecycleRules,
  type CampaignCreate,
  type CampaignPatch,
  type RecycleRuleView,
} from '@ringside/protocol';
import { adminRequest } from '../shared/http.js';

/** The admin routes for campaigns, recycle rules and scripts (docs/admin.md). */
export const campaignsApi = {
  list() {
    return adminRequest('GET', '/api/campaigns', CampaignList);
  },
  get(id: string) {
    return adminRequest('GET', `/api/campaigns/${id}`, Campaign);
  },
  create(body: CampaignCreate) {
    return adminRequest('POST', '/api/campaigns', Campaign, body);
  },
  update(id: string, body: CampaignPatch) {
    return adminRequest('PATCH', `/api/campaigns/${id}`, Campaign, body);
  },
  recycleRules(id: string) {
    return adminRequest('GET', `/api/campaigns/${id}/recycle-rules`, RecycleRules);
  },
  setRecycleRules(id: string, rules: RecycleRuleView[]) {
    return adminRequest('PUT', `/api/campaigns/${id}/recycle-rules`, RecycleRules, { rules });
  },
};
