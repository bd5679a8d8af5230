/** Tier rows the policy form offers (a policy may have more through the API). */
export const FORM_TIERS = 3;
