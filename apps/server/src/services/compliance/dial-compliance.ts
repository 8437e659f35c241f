import type { DialAttempts } from '../../ports/compliance.js';
import type { StateRuleSet } from '../../domain/state-rules.js';

/**
 * What the dial-time guards need for the state rules: the rules in memory (StateRulesCache,
 * never a PostgreSQL read) and the number's dials in the last 24 hours (Redis).
 */
export interface DialCompliance {
  rules(): StateRuleSet;
  attempts: DialAttempts;
}
