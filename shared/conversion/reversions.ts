import * as z from '#shared/platform/zod.ts';

/**
 * Why a technology line went back to physical delivery: a fixed list, so the learning loop can
 * count them. `other` carries a text. The same list serves a dispenser trial that ends in a
 * return and a screen-visit line reverted to physical visits.
 */
export const reversionReasonCodes = [
  'cannot_handle_device',
  'dose_plan_unsuitable',
  'citizen_declined',
  'other',
] as const;
export type ReversionReasonCode = (typeof reversionReasonCodes)[number];

export const reversionReasonDescriptions: Record<ReversionReasonCode, string> = {
  cannot_handle_device: 'The citizen cannot handle the device (dispenser or tablet).',
  dose_plan_unsuitable: 'The dose plan does not suit a dispenser (liquids, changing doses, injections).',
  citizen_declined: 'The citizen declined the technology.',
  other: 'Another reason, given as text.',
};

/** The technologies a line can go back from. */
export const revertedTechnologies = ['screen_visit', 'medication_technology'] as const;
export const revertedTechnologySchema = z.enum(revertedTechnologies);
export type RevertedTechnology = (typeof revertedTechnologies)[number];

export const reversionCodesSchema = z.strictObject({
  reasonCode: z.enum(reversionReasonCodes),
  reasonText: z.string().trim().min(1).max(500).optional(),
});

/** `other` needs its text: the one rule zod's shape cannot say. */
export const textGivenForOther: [
  (r: { reasonCode: ReversionReasonCode; reasonText?: string | undefined }) => boolean,
  { message: string; path: string[] },
] = [
  (r) => r.reasonCode !== 'other' || r.reasonText !== undefined,
  { message: 'reasonText is required when reasonCode is other', path: ['reasonText'] },
];

export const reversionReasonSchema = z
  .strictObject({
    reasonCode: z.enum(reversionReasonCodes).openapi({
      description: Object.entries(reversionReasonDescriptions)
        .map(([k, v]) => `${k}: ${v}`)
        .join(' '),
    }),
    /** Required for `other`, optional for the rest. */
    reasonText: reversionCodesSchema.shape.reasonText,
  })
  .refine(...textGivenForOther);

export const reversionSchema = z
  .object({
    reversionId: z.string(),
    citizenId: z.string(),
    team: z.string(),
    grantId: z.string(),
    technology: revertedTechnologySchema,
    reasonCode: z.enum(reversionReasonCodes),
    reasonText: z.string().optional(),
    /** The dispenser returned, for a trial that ended in a return. */
    dispenserId: z.string().optional(),
    /** The final-grant version that carries the reversion, when the line was in the final grant. */
    finalGrantId: z.string().optional(),
    at: z.string(),
    by: z.string(),
  })
  .openapi('Reversion');
export type Reversion = z.infer<typeof reversionSchema>;
