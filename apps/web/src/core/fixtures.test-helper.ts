import type { Lead } from './api.js';

/** A lead with every field empty but the ones given (unit tests). */
export function leadOf(over: Partial<Lead> & Pick<Lead, 'id' | 'phone'>): Lead {
  return {
    listId: '1',
    altPhones: [],
    firstName: null,
    lastName: null,
    address: null,
    city: null,
    state: null,
    postalCode: null,
    country: 'US',
    timeZone: null,
    status: 'NEW',
    attempts: 0,
    custom: {},
    ...over,
  };
}
